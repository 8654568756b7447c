/**
 * Inside a worker: hash one regular file through an open descriptor, with stat before and
 * after, so a file that changes while it is read is reported rather than printed with a
 * hash of a state that never existed on disk.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { getSystemErrorName } from 'node:util';
import type { Digester } from './algorithms.js';

/** What reading one path came to. */
export type ReadOutcome =
  | { readonly kind: 'hashed'; readonly size: number }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string }
  | { readonly kind: 'notRegular'; readonly what: string }
  | { readonly kind: 'tooBig' }
  | { readonly kind: 'linked'; readonly dev: number; readonly ino: number; readonly nlink: number };

/** A failed read: an errno code, or ECHANGED. */
export type ReadFailure = Extract<ReadOutcome, { readonly kind: 'failed' }>;

export interface ReadPolicy {
  /** Follow a symlink at the path (and stat before open so a device is never opened). */
  readonly follow: boolean;
  /** Hand back (unread) a file with more than one hard link. */
  readonly deferLinked: boolean;
  /** Hand back (unread) a file bigger than this. */
  readonly deferAbove: number;
}

// O_NONBLOCK: should a regular file be swapped for a FIFO between the walk and this open,
// the open returns at once instead of waiting for a writer (fstat then tells us what it is).
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;
const OPEN_FLAGS_NOFOLLOW = OPEN_FLAGS | constants.O_NOFOLLOW;

/** A test seam: VIGIL_TEST_AFTER_READ names a module whose afterRead(path) runs between the read and the second fstat. */
type AfterReadHook = (path: Buffer) => void;
let afterRead: AfterReadHook | undefined;
export async function loadTestHook(): Promise<void> {
  const url = process.env.VIGIL_TEST_AFTER_READ;
  if (url) afterRead = ((await import(url)) as { afterRead: AfterReadHook }).afterRead;
}

/** Runs the test hook, if one is loaded (for sibling readers such as baseline/inspect-tasks). */
export function runAfterReadHook(path: Buffer): void {
  afterRead?.(path);
}

export function readAndHash(path: Buffer, policy: ReadPolicy, digester: Digester, buffer: Buffer): ReadOutcome {
  if (policy.follow) {
    // Only command-line operands, --follow and --check get here; the walk already knows the
    // type of everything else from readdir. stat first: opening a device can have effects.
    let target: Stats;
    try {
      target = statSync(path);
    } catch (error) {
      return failure(error);
    }
    if (!target.isFile()) return { kind: 'notRegular', what: describeType(target) };
  }
  let fd: number;
  try {
    fd = openSync(path, policy.follow ? OPEN_FLAGS : OPEN_FLAGS_NOFOLLOW);
  } catch (error) {
    return failure(error);
  }
  try {
    const before = fstatSync(fd);
    if (!before.isFile()) return { kind: 'notRegular', what: describeType(before) };
    if (policy.deferLinked && before.nlink > 1) {
      return { kind: 'linked', dev: before.dev, ino: before.ino, nlink: before.nlink };
    }
    if (before.size > policy.deferAbove) return { kind: 'tooBig' };
    let total = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      digester.update(n === buffer.length ? buffer : buffer.subarray(0, n));
      total += n;
      // Having read the size fstat gave, skip the read that would return 0: a file that
      // grew meanwhile shows in the second fstat.
      if (total === before.size) break;
    }
    afterRead?.(path);
    const after = fstatSync(fd);
    if (
      after.size !== before.size ||
      after.mtimeMs !== before.mtimeMs ||
      after.ctimeMs !== before.ctimeMs ||
      total !== before.size
    ) {
      return CHANGED_WHILE_READ;
    }
    return { kind: 'hashed', size: total };
  } catch (error) {
    return failure(error);
  } finally {
    closeSync(fd);
  }
}

/** The outcome of a file whose size or times moved while it was read (both readers). */
export const CHANGED_WHILE_READ: ReadFailure = {
  kind: 'failed',
  code: 'ECHANGED',
  message: 'changed while being read (its size or modification time moved); hash it again when it is quiet',
};

/** The outcome of an errno from the native reader, as node:fs would have reported it. */
export function failureFromErrno(errno: number): ReadFailure {
  let code = 'EIO';
  try {
    code = getSystemErrorName(-errno);
  } catch {}
  return { kind: 'failed', code, message: describeErrno(code) };
}

function failure(error: unknown): ReadOutcome {
  const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
  return { kind: 'failed', code, message: describeErrno(code) };
}

export function describeType(stats: Stats): string {
  return describeMode(stats.mode);
}

/** What a file of this st_mode is, in the words of vigil's "skipped" notices. */
export function describeMode(mode: number): string {
  switch (mode & constants.S_IFMT) {
    case constants.S_IFDIR:
      return 'directory';
    case constants.S_IFIFO:
      return 'fifo';
    case constants.S_IFSOCK:
      return 'socket';
    case constants.S_IFBLK:
    case constants.S_IFCHR:
      return 'device';
    case constants.S_IFLNK:
      return 'symlink';
    default:
      return 'other';
  }
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  EISDIR: 'Is a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
  ENOTDIR: 'Not a directory',
  EIO: 'Input/output error',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
};

/** The strerror text coreutils would print for an errno code. */
export function describeErrno(code: string): string {
  return ERRNO_TEXT[code] ?? code;
}
