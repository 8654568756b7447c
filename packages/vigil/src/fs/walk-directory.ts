/**
 * One directory of the walk: opened relative to its parent's descriptor (never through a
 * symlink unless --follow asked for it), listed through that descriptor, filtered by the
 * excludes in scope, and sorted so that full paths come out in byte order.
 */
import {
  type BigIntStats,
  closeSync,
  constants,
  type Dirent,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  type Stats,
} from 'node:fs';
import { stat } from 'node:fs/promises';
import { ExcludeRules } from './exclude-rules.js';
import { procPath } from './proc-fd.js';

/** The per-directory exclusion file. */
export const IGNORE_FILE_NAME = '.vigilignore';

export type SkipReason =
  | 'fifo'
  | 'socket'
  | 'device'
  | 'symlink'
  | 'symlink loop'
  | 'dangling symlink'
  | 'other file system'
  | 'not a regular file';

export type ChildKind = 'dir' | 'file' | SkipReason | 'error';

export interface Child {
  readonly name: Buffer;
  readonly kind: ChildKind;
  /** The name, plus '/' for a directory: sorting these sorts full paths bytewise. */
  readonly sortKey: Buffer;
  /** Reached through a symlink (under --follow). */
  readonly viaLink: boolean;
  readonly errorCode?: string;
}

export interface RulesInScope {
  readonly rules: ExcludeRules;
  /** Length of the relative path of the directory holding the rules (with its '/'). */
  readonly baseLength: number;
}

/** A directory open for the walk: its descriptor (closed when the walk leaves it) and its sorted children. */
export interface OpenDirectory {
  readonly fd: number;
  /** Its fstat: taken on first use (a plain hash walk needs none; each costs a call into node:fs). */
  readonly stat: BigIntStats;
  readonly children: readonly Child[];
  readonly rules: readonly RulesInScope[];
}

const LIST_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY;
const READ_IGNORE_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * Opens the directory `name` in the directory `parentFd` (or, without a parent, the path
 * `name` itself, followed: an operand). O_NOFOLLOW unless `follow`: a directory swapped for
 * a symlink since its parent was listed is an error, not a way out of the tree.
 */
export function openDirectory(parentFd: number | undefined, name: Buffer, follow: boolean): number {
  if (parentFd === undefined) return openSync(name, LIST_FLAGS);
  return openSync(procPath(parentFd, name), LIST_FLAGS | (follow ? 0 : constants.O_NOFOLLOW));
}

/**
 * Lists an open directory, reads its .vigilignore, filters and sorts. `relative` is the
 * directory's path relative to the operand, with a trailing '/' ('' at the root).
 */
export async function listDirectory(
  fd: number,
  relative: string,
  follow: boolean,
  inheritedRules: readonly RulesInScope[],
): Promise<OpenDirectory> {
  // Synchronous on purpose: the walk is a chain of one directory after another, and an
  // async readdir costs a thread-pool round trip per directory, which left workers idle
  // (/usr/share, 5k directories: 1.2 s -> see docs/benchmarks.md). A readdir takes tens of
  // microseconds here; the main thread has little else to do meanwhile.
  const dirents = readdirSync(procPath(fd), { withFileTypes: true, encoding: 'buffer' }) as unknown as Dirent<Buffer>[];
  let rules = inheritedRules;
  const ignoreFile = dirents.find((d) => d.isFile() && d.name.toString('latin1') === IGNORE_FILE_NAME);
  if (ignoreFile) {
    try {
      const own = ExcludeRules.fromFileText(readIgnoreFile(fd, ignoreFile.name));
      if (!own.isEmpty) rules = [...inheritedRules, { rules: own, baseLength: relative.length }];
    } catch {
      // An unreadable .vigilignore is reported when the walk reaches it as a file to read.
    }
  }
  const children: Child[] = [];
  const pendingLinks: Promise<void>[] = [];
  for (const dirent of dirents) {
    const kind = kindOf(dirent, follow);
    if (kind !== 'follow') {
      addChild(children, dirent.name, kind, rules, relative, false);
      continue;
    }
    pendingLinks.push(
      stat(procPath(fd, dirent.name)).then(
        (target) => {
          const targetKind = target.isDirectory() ? 'dir' : target.isFile() ? 'file' : skipReasonOf(target);
          addChild(children, dirent.name, targetKind, rules, relative, true);
        },
        (error: NodeJS.ErrnoException) => {
          const reason = error.code === 'ELOOP' ? 'symlink loop' : 'dangling symlink';
          const known = error.code === 'ENOENT' || error.code === 'ELOOP';
          addChild(children, dirent.name, known ? reason : 'error', rules, relative, true, error.code);
        },
      ),
    );
  }
  await Promise.all(pendingLinks);
  children.sort((a, b) => Buffer.compare(a.sortKey, b.sortKey));
  let dirStat: BigIntStats | undefined;
  return {
    fd,
    get stat() {
      dirStat ??= fstatSync(fd, { bigint: true });
      return dirStat;
    },
    children,
    rules,
  };
}

/** The text of a .vigilignore, opened without following a link (nor waiting on a FIFO swapped in). */
function readIgnoreFile(dirFd: number, name: Buffer): string {
  const fd = openSync(procPath(dirFd, name), READ_IGNORE_FLAGS);
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** Closes a directory the walk is done with (or gave up on). */
export function closeDirectory(fd: number): void {
  closeSync(fd);
}

function addChild(
  children: Child[],
  name: Buffer,
  kind: ChildKind,
  rules: readonly RulesInScope[],
  relative: string,
  viaLink: boolean,
  errorCode?: string,
): void {
  const isDir = kind === 'dir';
  if (rules.length > 0) {
    const path = relative + name.toString('utf8');
    for (const scope of rules) if (scope.rules.excludes(path.slice(scope.baseLength), isDir)) return;
  }
  const sortKey = isDir ? Buffer.concat([name, Buffer.from('/')]) : name;
  children.push({ name, kind, sortKey, viaLink, ...(errorCode ? { errorCode } : {}) });
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

export function skipReasonOf(stats: Stats | BigIntStats): SkipReason {
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  if (stats.isBlockDevice() || stats.isCharacterDevice()) return 'device';
  return 'not a regular file';
}
