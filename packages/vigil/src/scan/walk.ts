/**
 * The tree walk: an async generator of entries, in byte order of their full paths, so that
 * sorted output needs no sort buffer (see docs/vigil.md, "Memory").
 *
 * - Directories are read with buffer encoding: names that are not UTF-8 survive byte for byte.
 * - Entries are typed from readdir; nothing is stat'ed here except directories when
 *   --one-file-system or --follow need their device and inode, and symlinks under --follow.
 * - FIFOs, sockets and devices are reported as skipped and never opened.
 * - Symlinks are reported as skipped unless --follow; with --follow, a link back to a
 *   directory being walked is a loop and is reported, not entered.
 * - `--exclude` patterns and `.vigilignore` files (gitignore semantics) prune the walk.
 *
 * Entries come in arrays (a run of one directory's non-directory entries), not one by one:
 * an async generator costs a promise per yield, and a tree can hold millions of files.
 */
import type { Dirent, Stats } from 'node:fs';
import { readdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { ExcludeRules } from './exclude-rules.js';
import { describeErrno } from './read-file.js';

export type SkipReason =
  | 'fifo'
  | 'socket'
  | 'device'
  | 'symlink'
  | 'symlink loop'
  | 'dangling symlink'
  | 'other file system'
  | 'not a regular file';

export type WalkEntry =
  /** A regular file (or, with `follow`, a path to one through symlinks). */
  | { readonly kind: 'file'; readonly path: Buffer; readonly follow: boolean }
  /** A directory about to be read (only with `directories`: backups record them). */
  | { readonly kind: 'directory'; readonly path: Buffer }
  | { readonly kind: 'skipped'; readonly path: Buffer; readonly reason: SkipReason }
  | { readonly kind: 'error'; readonly path: Buffer; readonly code: string; readonly message: string };

export interface WalkOptions {
  readonly follow: boolean;
  readonly oneFileSystem: boolean;
  /** Patterns with gitignore semantics, relative to each operand. */
  readonly excludes: readonly string[];
  /** Also yield each directory (operands included) before its contents. */
  readonly directories?: boolean;
}

/** The per-directory exclusion file. */
export const IGNORE_FILE_NAME = '.vigilignore';
const SLASH = 0x2f;

type ChildKind = 'dir' | 'file' | SkipReason | 'error';

interface Child {
  readonly name: Buffer;
  readonly kind: ChildKind;
  /** The name, plus '/' for a directory: sorting these sorts full paths bytewise. */
  readonly sortKey: Buffer;
  /** Reached through a symlink (under --follow). */
  readonly viaLink: boolean;
  readonly stats?: Stats;
  readonly errorCode?: string;
}

interface RulesInScope {
  readonly rules: ExcludeRules;
  /** Length of the relative path of the directory holding the rules (with its '/'). */
  readonly baseLength: number;
}

interface Frame {
  /** Path prefix of children: '' for the operand '.', else the directory path and '/'. */
  readonly prefix: Buffer;
  /** The directory's path relative to the operand, with a trailing '/' ('' at the root). */
  readonly relative: string;
  readonly children: readonly Child[];
  next: number;
  /** Key of this directory in the ancestors set, when --follow tracks loops. */
  readonly identity: string | undefined;
  readonly rules: readonly RulesInScope[];
}

export async function* walk(operands: readonly Buffer[], options: WalkOptions): AsyncGenerator<WalkEntry[]> {
  const global = options.excludes.length > 0 ? new ExcludeRules(options.excludes) : undefined;
  const baseRules: RulesInScope[] = global ? [{ rules: global, baseLength: 0 }] : [];
  for (const operand of operands) {
    // Operands are followed, as sha256sum and `find -H` do: `vigil hash link` hashes the target.
    let stats: Stats;
    try {
      stats = await stat(operand);
    } catch (error) {
      yield [errorEntry(operand, error)];
      continue;
    }
    if (stats.isFile()) yield [{ kind: 'file', path: operand, follow: true }];
    else if (stats.isDirectory()) yield* walkTree(operand, stats, options, baseRules);
    else yield [{ kind: 'skipped', path: operand, reason: skipReasonOf(stats) }];
  }
}

async function* walkTree(
  root: Buffer,
  rootStats: Stats,
  options: WalkOptions,
  baseRules: readonly RulesInScope[],
): AsyncGenerator<WalkEntry[]> {
  const ancestors = new Set<string>();
  const rootPrefix = root.equals(Buffer.from('.'))
    ? Buffer.alloc(0)
    : root.at(-1) === SLASH
      ? root
      : Buffer.concat([root, Buffer.from('/')]);
  const first = await openFrame(rootPrefix, '', rootStats, options, baseRules, ancestors);
  if (options.directories && !('error' in first)) yield [{ kind: 'directory', path: root }];
  if ('error' in first) {
    yield [first.error];
    return;
  }
  const stack: Frame[] = [first];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    const run: WalkEntry[] = [];
    let descend: Child | undefined;
    while (frame.next < frame.children.length) {
      const child = frame.children[frame.next++] as Child;
      if (child.kind === 'dir') {
        descend = child;
        break;
      }
      run.push(entryFor(frame, child, options));
    }
    if (run.length > 0) yield run;
    if (descend === undefined) {
      stack.pop();
      if (frame.identity !== undefined) ancestors.delete(frame.identity);
      continue;
    }
    const path = Buffer.concat([frame.prefix, descend.name]);
    let stats = descend.stats;
    if (stats === undefined && (options.oneFileSystem || options.follow)) {
      try {
        stats = await stat(path);
      } catch (error) {
        yield [errorEntry(path, error)];
        continue;
      }
    }
    if (options.oneFileSystem && stats !== undefined && stats.dev !== rootStats.dev) {
      yield [{ kind: 'skipped', path, reason: 'other file system' }];
      continue;
    }
    if (options.follow && stats !== undefined && ancestors.has(identityOf(stats))) {
      yield [{ kind: 'skipped', path, reason: 'symlink loop' }];
      continue;
    }
    const relative = `${frame.relative}${descend.name.toString('utf8')}/`;
    const opened = await openFrame(
      Buffer.concat([path, Buffer.from('/')]),
      relative,
      stats,
      options,
      frame.rules,
      ancestors,
    );
    if ('error' in opened) yield [opened.error];
    else {
      if (options.directories) yield [{ kind: 'directory', path }];
      stack.push(opened);
    }
  }
}

/** Reads, filters and sorts one directory. */
async function openFrame(
  prefix: Buffer,
  relative: string,
  stats: Stats | undefined,
  options: WalkOptions,
  inheritedRules: readonly RulesInScope[],
  ancestors: Set<string>,
): Promise<Frame | { error: WalkEntry }> {
  const dirPath = prefix.length === 0 ? Buffer.from('.') : prefix;
  let dirents: Dirent<Buffer>[];
  try {
    // Synchronous on purpose: the walk is a chain of one directory after another, and an
    // async readdir costs a thread-pool round trip per directory, which left workers idle
    // (/usr/share, 5k directories: 1.2 s -> see docs/benchmarks.md). A readdir takes tens of
    // microseconds here; the main thread has little else to do meanwhile.
    dirents = readdirSync(dirPath, { withFileTypes: true, encoding: 'buffer' }) as unknown as Dirent<Buffer>[];
  } catch (error) {
    const shown = prefix.length === 0 ? dirPath : prefix.subarray(0, prefix.length - 1);
    return { error: errorEntry(shown, error, 'cannot list this directory') };
  }
  let rules = inheritedRules;
  const ignoreFile = dirents.find((d) => d.isFile() && d.name.toString('latin1') === IGNORE_FILE_NAME);
  if (ignoreFile) {
    try {
      const own = ExcludeRules.fromFileText(await readFile(Buffer.concat([prefix, ignoreFile.name]), 'utf8'));
      if (!own.isEmpty) rules = [...inheritedRules, { rules: own, baseLength: relative.length }];
    } catch {
      // An unreadable .vigilignore is reported when the walk reaches it as a file to hash.
    }
  }
  const children: Child[] = [];
  const pendingLinks: Promise<void>[] = [];
  for (const dirent of dirents) {
    const kind = kindOf(dirent, options.follow);
    if (kind === 'follow') {
      pendingLinks.push(
        stat(Buffer.concat([prefix, dirent.name])).then(
          (target) => {
            const targetKind = target.isDirectory() ? 'dir' : target.isFile() ? 'file' : skipReasonOf(target);
            addChild(children, dirent.name, targetKind, rules, relative, true, target);
          },
          (error: NodeJS.ErrnoException) => {
            const reason = error.code === 'ELOOP' ? 'symlink loop' : 'dangling symlink';
            addChild(
              children,
              dirent.name,
              error.code === 'ENOENT' || error.code === 'ELOOP' ? reason : 'error',
              rules,
              relative,
              true,
              undefined,
              error.code,
            );
          },
        ),
      );
    } else {
      addChild(children, dirent.name, kind, rules, relative, false);
    }
  }
  await Promise.all(pendingLinks);
  children.sort((a, b) => Buffer.compare(a.sortKey, b.sortKey));
  let identity: string | undefined;
  if (options.follow && stats !== undefined) {
    identity = identityOf(stats);
    ancestors.add(identity);
  }
  return { prefix, relative, children, next: 0, identity, rules };
}

function addChild(
  children: Child[],
  name: Buffer,
  kind: ChildKind,
  rules: readonly RulesInScope[],
  relative: string,
  viaLink: boolean,
  stats?: Stats,
  errorCode?: string,
): void {
  const isDir = kind === 'dir';
  if (rules.length > 0) {
    const path = relative + name.toString('utf8');
    for (const scope of rules) if (scope.rules.excludes(path.slice(scope.baseLength), isDir)) return;
  }
  const sortKey = isDir ? Buffer.concat([name, Buffer.from('/')]) : name;
  children.push({ name, kind, sortKey, viaLink, ...(stats ? { stats } : {}), ...(errorCode ? { errorCode } : {}) });
}

function kindOf(dirent: Dirent<Buffer>, follow: boolean): ChildKind | 'follow' {
  if (dirent.isFile()) return 'file';
  if (dirent.isDirectory()) return 'dir';
  if (dirent.isSymbolicLink()) return follow ? 'follow' : 'symlink';
  if (dirent.isFIFO()) return 'fifo';
  if (dirent.isSocket()) return 'socket';
  if (dirent.isBlockDevice() || dirent.isCharacterDevice()) return 'device';
  return 'not a regular file';
}

function entryFor(frame: Frame, child: Child, options: WalkOptions): WalkEntry {
  const path = Buffer.concat([frame.prefix, child.name]);
  if (child.kind === 'file') return { kind: 'file', path, follow: child.viaLink && options.follow };
  if (child.kind === 'error') {
    const code = child.errorCode ?? 'EIO';
    return { kind: 'error', path, code, message: describeErrno(code) };
  }
  return { kind: 'skipped', path, reason: child.kind as SkipReason };
}

function skipReasonOf(stats: Stats): SkipReason {
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  if (stats.isBlockDevice() || stats.isCharacterDevice()) return 'device';
  return 'not a regular file';
}

function identityOf(stats: Stats): string {
  return `${stats.dev}:${stats.ino}`;
}

function errorEntry(path: Buffer, error: unknown, what?: string): WalkEntry {
  const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
  const text = describeErrno(code);
  return { kind: 'error', path, code, message: what ? `${text} (${what})` : text };
}
