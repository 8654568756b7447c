/**
 * The tree walk: an async generator of entries, in byte order of their full paths, so that
 * sorted output needs no sort buffer (see docs/vigil.md, "Memory").
 *
 * - Each directory is opened relative to its parent's descriptor, which the walk holds
 *   while it is inside (walk-directory.ts), and never through a symlink (unless --follow):
 *   a directory swapped for a link during the run is reported, not walked into.
 * - Names are bytes, never decoded: names that are not UTF-8 survive byte for byte.
 * - Entries are typed from the listing (d_type); the walk stats only what it opens (directories), and
 *   symlinks under --follow. FIFOs, sockets and devices are reported as skipped and never opened.
 * - Symlinks are reported as skipped unless --follow; with --follow, a link back to a
 *   directory being walked is a loop and is reported, not entered.
 * - `--exclude` patterns and `.vigilignore` files (gitignore semantics) prune the walk.
 *
 * A file entry carries `base`, the length of its operand's prefix: readers follow the
 * operand and resolve the rest beneath it with no symlink (fs/file-list.ts), except for a
 * file reached through a link under --follow, which is opened following links (`follow`).
 *
 * Entries come in arrays (a run of one directory's non-directory entries), not one by one:
 * an async generator costs a promise per yield, and a tree can hold millions of files.
 */
import type { BigIntStats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ExcludeRules } from './exclude-rules.js';
import { describeErrno, failureFromErrno } from './failures.js';
import { EntryKind, errnoAt, kindAt, nameAt, pathAt, recordEnd, SKIP_REASON, viaLinkAt } from './listing.js';
import { requireProcFs } from './proc-fd.js';
import {
  closeDirectory,
  type DirectoryLister,
  directoryLister,
  isExcluded,
  listDirectory,
  type OpenDirectory,
  openOperandDirectory,
  type RulesInScope,
  type SkipReason,
  skipReasonOf,
} from './walk-directory.js';

export { IGNORE_FILE_NAME, type SkipReason } from './walk-directory.js';

export type WalkEntry =
  /** A regular file (or, with `follow`, a path to one through symlinks). */
  | { readonly kind: 'file'; readonly path: Buffer; readonly base: number; readonly follow: boolean }
  /** A directory about to be read (only with `directories`), with its fstat. */
  | { readonly kind: 'directory'; readonly path: Buffer; readonly base: number; readonly stat: BigIntStats }
  /** Not read (a symlink not followed, a FIFO, a device, a socket): why. */
  | { readonly kind: 'skipped'; readonly path: Buffer; readonly reason: SkipReason }
  | { readonly kind: 'error'; readonly path: Buffer; readonly code: string; readonly message: string };

export interface WalkOptions {
  readonly follow: boolean;
  readonly oneFileSystem: boolean;
  /** Patterns with gitignore semantics, relative to each operand. */
  readonly excludes: readonly string[];
  /** Also yield each directory (operands included) before its contents. */
  readonly directories?: boolean;
  /** Leave out the contents of cache directories, all but their CACHEDIR.TAG (fs/cache-tag.ts). */
  readonly excludeCaches?: boolean;
  /** Who opens and lists directories: by default the native addon's lister, else node:fs's. */
  readonly lister?: DirectoryLister;
}

interface Frame {
  /** Its listing holds the paths of its children: '' for the operand '.', else the directory path and '/', then the name. */
  readonly dir: OpenDirectory;
  /** The directory's path relative to the operand, with a trailing '/' ('' at the root). */
  readonly relative: string;
  /** Reached through a symlink (under --follow): its files are opened following links. */
  readonly viaLink: boolean;
  next: number;
}

const SLASH = 0x2f;
const SLASH_BYTES = Buffer.from('/');

export async function* walk(operands: readonly Buffer[], options: WalkOptions): AsyncGenerator<WalkEntry[]> {
  requireProcFs();
  const global = options.excludes.length > 0 ? new ExcludeRules(options.excludes) : undefined;
  const baseRules: RulesInScope[] = global ? [{ rules: global, baseLength: 0 }] : [];
  for (const operand of operands) {
    // Operands are followed, as sha256sum and `find -H` do: `vigil hash link` hashes the target.
    let stats: Awaited<ReturnType<typeof stat>>;
    try {
      stats = await stat(operand);
    } catch (error) {
      yield [errorEntry(operand, error)];
      continue;
    }
    if (stats.isFile()) yield [{ kind: 'file', path: operand, base: 0, follow: true }];
    else if (stats.isDirectory()) yield* walkTree(operand, options, baseRules);
    else yield [{ kind: 'skipped', path: operand, reason: skipReasonOf(stats) }];
  }
}

async function* walkTree(
  root: Buffer,
  options: WalkOptions,
  baseRules: readonly RulesInScope[],
): AsyncGenerator<WalkEntry[]> {
  const prefix = root.equals(Buffer.from('.'))
    ? Buffer.alloc(0)
    : root.at(-1) === SLASH
      ? root
      : Buffer.concat([root, Buffer.from('/')]);
  const base = prefix.length;
  const lister = options.lister ?? directoryLister();
  let first: OpenDirectory;
  let rootFd: number | undefined;
  try {
    rootFd = openOperandDirectory(root);
    first = await listDirectory(lister, rootFd, prefix, '', options.follow, baseRules, options.excludeCaches);
  } catch (error) {
    if (rootFd !== undefined) closeDirectory(rootFd);
    yield [errorEntry(root, error, 'cannot list this directory')];
    return;
  }
  const rootDev = options.oneFileSystem ? first.stat.dev : 0n;
  /** dev:ino of the directories being walked, when --follow must detect loops. */
  const ancestors = new Set<string>();
  if (options.follow) ancestors.add(identityOf(first.stat));
  const stack: Frame[] = [{ dir: first, relative: '', viaLink: false, next: 0 }];
  try {
    // Each directory is on the stack before it is yielded, so a consumer that stops there still has it closed.
    if (options.directories) yield [{ kind: 'directory', path: root, base, stat: first.stat }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as Frame;
      const run: WalkEntry[] = [];
      const listing = frame.dir.listing;
      let descend = -1;
      while (frame.next < listing.bytes.length) {
        const at = frame.next;
        frame.next = recordEnd(listing, at);
        if (isExcluded(frame.dir, frame.relative, at)) continue;
        if (kindAt(listing, at) === EntryKind.dir) {
          descend = at;
          break;
        }
        run.push(entryFor(frame, at, base, options));
      }
      if (run.length > 0) yield run;
      if (descend < 0) {
        stack.pop();
        if (options.follow) ancestors.delete(identityOf(frame.dir.stat));
        closeDirectory(frame.dir.fd);
        continue;
      }
      const path = pathAt(listing, descend);
      const name = nameAt(listing, descend);
      const viaLink = frame.viaLink || viaLinkAt(listing, descend);
      const child = { name, prefix: Buffer.concat([path, SLASH_BYTES]), throughLink: viaLinkAt(listing, descend) };
      const entered = await enter(lister, frame, child, options, rootDev, ancestors);
      if ('entry' in entered) {
        yield [{ path, ...entered.entry }];
        continue;
      }
      if (options.follow) ancestors.add(identityOf(entered.dir.stat));
      const relative = `${frame.relative}${name.toString('utf8')}/`;
      stack.push({ dir: entered.dir, relative, viaLink, next: 0 });
      if (options.directories) yield [{ kind: 'directory', path, base, stat: entered.dir.stat }];
    }
  } finally {
    // The consumer may stop early (an error, Ctrl-C): close what is still open.
    for (const frame of stack) closeDirectory(frame.dir.fd);
  }
}

/** Why the walk did not go into a directory. */
type NotEntered =
  | { readonly kind: 'skipped'; readonly reason: SkipReason }
  | { readonly kind: 'error'; readonly code: string; readonly message: string };

/** Opens and lists a child directory, or says why the walk does not go in. */
async function enter(
  lister: DirectoryLister,
  frame: Frame,
  child: { readonly name: Buffer; readonly prefix: Buffer; readonly throughLink: boolean },
  options: WalkOptions,
  rootDev: bigint,
  ancestors: ReadonlySet<string>,
): Promise<{ dir: OpenDirectory } | { entry: NotEntered }> {
  let fd: number;
  try {
    fd = lister.openChild(frame.dir.fd, child.name, child.throughLink);
  } catch (error) {
    return { entry: errorFields(error, 'cannot list this directory') };
  }
  try {
    const relative = `${frame.relative}${child.name.toString('utf8')}/`;
    const dir = await listDirectory(
      lister,
      fd,
      child.prefix,
      relative,
      options.follow,
      frame.dir.rules,
      options.excludeCaches,
    );
    if (options.oneFileSystem && dir.stat.dev !== rootDev) {
      closeDirectory(fd);
      return { entry: { kind: 'skipped', reason: 'other file system' } };
    }
    if (options.follow && ancestors.has(identityOf(dir.stat))) {
      closeDirectory(fd);
      return { entry: { kind: 'skipped', reason: 'symlink loop' } };
    }
    return { dir };
  } catch (error) {
    closeDirectory(fd);
    return { entry: errorFields(error, 'cannot list this directory') };
  }
}

function entryFor(frame: Frame, at: number, base: number, options: WalkOptions): WalkEntry {
  const listing = frame.dir.listing;
  const path = pathAt(listing, at);
  const kind = kindAt(listing, at);
  if (kind === EntryKind.file)
    return { kind: 'file', path, base, follow: options.follow && (viaLinkAt(listing, at) || frame.viaLink) };
  if (kind === EntryKind.error) return { kind: 'error', path, ...failureFromErrno(errnoAt(listing, at)) };
  return { kind: 'skipped', path, reason: SKIP_REASON[kind] as SkipReason };
}

function identityOf(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}`;
}

function errorFields(error: unknown, what?: string): { kind: 'error'; code: string; message: string } {
  const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
  const text = describeErrno(code);
  return { kind: 'error', code, message: what ? `${text} (${what})` : text };
}

function errorEntry(path: Buffer, error: unknown, what?: string): WalkEntry {
  return { path, ...errorFields(error, what) };
}
