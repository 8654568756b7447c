/**
 * One directory of the walk: opened relative to its parent's descriptor (never through a
 * symlink unless --follow asked for it), listed through that descriptor in one sorted,
 * packed listing (listing.ts), with the excludes in scope. The native addon opens and lists
 * (native/list_dir.c); without it, node:fs does (listing-js.ts), the same way.
 */
import { type BigIntStats, closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { CACHE_CONTENTS, isCacheDirectory } from './cache-tag.js';
import { ExcludeRules } from './exclude-rules.js';
import { failureFromErrno } from './failures.js';
import { EntryKind, findFile, kindAt, type Listing, nameStart, recordEnd } from './listing.js';
import { listDirectoryJs, openChildDirectoryJs, openDirectoryNoAtime } from './listing-js.js';
import { type NativeAddon, nativeAddon } from './native-addon.js';
import { procPath } from './proc-fd.js';

/** The per-directory exclusion file. */
export const IGNORE_FILE_NAME = '.vigilignore';
const IGNORE_FILE_BYTES = Buffer.from(IGNORE_FILE_NAME);

export type SkipReason =
  | 'fifo'
  | 'socket'
  | 'device'
  | 'symlink'
  | 'symlink loop'
  | 'dangling symlink'
  | 'other file system'
  | 'not a regular file';

/** Opens and lists directories for the walk: the addon's, or node:fs's (see `directoryLister`). */
export interface DirectoryLister {
  /** The directory `name` in the directory `parentFd`; O_NOFOLLOW unless `follow`. Throws an errno error. */
  openChild(parentFd: number, name: Buffer, follow: boolean): number;
  /** The listing of the directory `fd`, its paths starting with `prefix` (listing.ts). Throws an errno error. */
  list(fd: number, follow: boolean, prefix: Buffer): Buffer | Promise<Buffer>;
}

export const JS_LISTER: DirectoryLister = { openChild: openChildDirectoryJs, list: listDirectoryJs };

export function nativeLister(addon: NativeAddon): DirectoryLister {
  return {
    openChild(parentFd, name, follow) {
      const fd = addon.openDirectoryAt(parentFd, name, follow);
      if (fd < 0) throw errnoError(-fd);
      return fd;
    },
    list(fd, follow, prefix) {
      const listing = addon.listDirectory(fd, follow, prefix);
      if (typeof listing === 'number') throw errnoError(-listing);
      return listing;
    },
  };
}

/** The addon's lister when the addon is loaded, else the JavaScript one. */
export function directoryLister(): DirectoryLister {
  const addon = nativeAddon();
  return addon ? nativeLister(addon) : JS_LISTER;
}

export interface RulesInScope {
  readonly rules: ExcludeRules;
  /** Length of the relative path of the directory holding the rules (with its '/'). */
  readonly baseLength: number;
}

/** A directory open for the walk: its descriptor (closed when the walk leaves it) and its sorted entries. */
export interface OpenDirectory {
  readonly fd: number;
  /** Its fstat: taken on first use (a plain hash walk needs none; each costs a call into node:fs). */
  readonly stat: BigIntStats;
  /** Every entry, sorted (listing.ts); excluded ones are skipped as the walk reads them (`isExcluded`). */
  readonly listing: Listing;
  readonly rules: readonly RulesInScope[];
}

const READ_IGNORE_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Opens an operand's directory: the path `name` itself, followed (the user named it). */
export function openOperandDirectory(name: Buffer): number {
  return openDirectoryNoAtime(name, constants.O_RDONLY | constants.O_DIRECTORY);
}

/**
 * Lists an open directory and reads its .vigilignore. `prefix` is what the paths of its
 * entries start with; `relative`, the directory's path relative to the operand, with a
 * trailing '/' ('' at the root). With `excludeCaches`, a cache directory (cache-tag.ts)
 * excludes all its entries but its tag.
 */
export async function listDirectory(
  lister: DirectoryLister,
  fd: number,
  prefix: Buffer,
  relative: string,
  follow: boolean,
  inheritedRules: readonly RulesInScope[],
  excludeCaches = false,
): Promise<OpenDirectory> {
  const listing: Listing = { bytes: await lister.list(fd, follow, prefix), prefixLength: prefix.length };
  let rules = inheritedRules;
  const ignoreFile = findFile(listing, IGNORE_FILE_BYTES);
  if (ignoreFile >= 0) {
    try {
      const own = ExcludeRules.fromFileText(readIgnoreFile(fd));
      if (!own.isEmpty) rules = [...inheritedRules, { rules: own, baseLength: relative.length }];
    } catch {
      // An unreadable .vigilignore is reported when the walk reaches it as a file to read.
    }
  }
  if (excludeCaches && isCacheDirectory(fd, listing)) {
    rules = [...rules, { rules: CACHE_CONTENTS, baseLength: relative.length }];
  }
  let dirStat: BigIntStats | undefined;
  return {
    fd,
    get stat() {
      dirStat ??= fstatSync(fd, { bigint: true });
      return dirStat;
    },
    listing,
    rules,
  };
}

/** Whether the excludes in scope leave out the entry at `at` of the directory at `relative`. */
export function isExcluded(dir: OpenDirectory, relative: string, at: number): boolean {
  if (dir.rules.length === 0) return false;
  const path = relative + dir.listing.bytes.toString('utf8', nameStart(dir.listing, at), recordEnd(dir.listing, at));
  const isDir = kindAt(dir.listing, at) === EntryKind.dir;
  for (const scope of dir.rules) if (scope.rules.excludes(path.slice(scope.baseLength), isDir)) return true;
  return false;
}

/** The text of a .vigilignore, opened without following a link (nor waiting on a FIFO swapped in). */
function readIgnoreFile(dirFd: number): string {
  const fd = openSync(procPath(dirFd, IGNORE_FILE_BYTES), READ_IGNORE_FLAGS);
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

export function skipReasonOf(stats: Stats | BigIntStats): SkipReason {
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  if (stats.isBlockDevice() || stats.isCharacterDevice()) return 'device';
  return 'not a regular file';
}

/** An error as node:fs throws them (with `code`), from an errno the addon returned. */
function errnoError(errno: number): NodeJS.ErrnoException {
  const failure = failureFromErrno(errno);
  return Object.assign(new Error(failure.message), { code: failure.code, errno: -errno });
}
