/**
 * Inside a worker: bring one source file into the repository. The file is read once: its
 * bytes are hashed and (unless the content turns out to be stored already) written to a
 * temp object at the same time. The worker does not fsync or rename it: the main thread
 * flushes the whole file system once when every object of the run is written, and only then
 * renames the temp objects to objects/ab/<hash> (run-backup.ts). An object name therefore
 * always names complete, durable content, for one flush instead of one fsync per object.
 *
 * A file up to one buffer long is read whole and written only if its object is missing
 * (the common case for small files: no temp write for content already stored); a longer
 * file streams through the buffer into its temp object.
 */
import {
  type BigIntStats,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { threadId } from 'node:worker_threads';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { decideFastPath } from '../baseline/fast-path.js';
import { describeErrno } from '../scan/read-file.js';
import { objectPathIn } from './repository.js';
import type { ParentRecord, StoredFile } from './store-protocol.js';

const BUFFER_BYTES = 1024 * 1024;
// O_NONBLOCK: a file swapped for a FIFO since the walk opens at once instead of hanging.
const OPEN_SOURCE = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

let buffer: Buffer | undefined;
const hasher = new Blake3Hasher();
let tempCounter = 0;
/**
 * Test seam: the worker exits abruptly when it is about to read a file whose path holds this
 * text, as a crashing native module would (tests check that no snapshot appears, and that
 * the fast path really skips reads).
 */
const crashOn = process.env.VIGIL_TEST_CRASH_ON;

export interface StoreContext {
  readonly repo: string;
  readonly tempDir: string;
  readonly parentTimeNs: bigint;
  /** No object can exist yet in this run (see StoreBatchRequest.noObjectsYet). */
  readonly noObjectsYet: boolean;
}

export function storeFile(path: Buffer, parent: ParentRecord | null, context: StoreContext): StoredFile {
  return settleByLstat(path, parent, context) ?? readAndStore(path, context);
}

/**
 * Settles a file from its lstat alone where that is enough: it is gone, no longer a regular
 * file, or unchanged since the parent snapshot (then it is not read). Undefined: read it.
 */
export function settleByLstat(
  path: Buffer,
  parent: ParentRecord | null,
  context: StoreContext,
): StoredFile | undefined {
  let current: BigIntStats;
  try {
    current = lstatSync(path, { bigint: true });
  } catch (error) {
    return failure(error);
  }
  if (!current.isFile()) return { status: 'notRegular' };
  if (parent !== null && isTrusted(parent, current, context.parentTimeNs)) {
    return { status: 'unchanged', ...statFields(current), hash: parent.hash };
  }
  return undefined;
}

/** The test seam VIGIL_TEST_CRASH_ON: the worker dies as it is about to read this path. */
export function crashIfAsked(path: Buffer): void {
  if (crashOn && path.includes(crashOn)) process.exit(70);
}

/** Reads, hashes and (if new) writes one file through node:fs, streaming it if it is big. */
export function readAndStore(path: Buffer, context: StoreContext): StoredFile {
  crashIfAsked(path);
  let fd: number;
  try {
    fd = openSync(path, OPEN_SOURCE);
  } catch (error) {
    return failure(error);
  }
  try {
    const before = fstatSync(fd, { bigint: true });
    if (!before.isFile()) return { status: 'notRegular' };
    buffer ??= Buffer.allocUnsafeSlow(BUFFER_BYTES);
    hasher.reset();
    return before.size <= BigInt(BUFFER_BYTES)
      ? storeSmall(fd, before, buffer, context)
      : storeStreaming(fd, before, buffer, context);
  } catch (error) {
    return failure(error);
  } finally {
    closeSync(fd);
  }
}

function storeSmall(fd: number, before: BigIntStats, buf: Buffer, context: StoreContext): StoredFile {
  const size = Number(before.size);
  let total = 0;
  while (total < size) {
    const n = readSync(fd, buf, total, size - total, null);
    if (n === 0) break;
    total += n;
  }
  const changed = changedWhileRead(fd, before, total);
  if (changed) return changed;
  return storeContent(buf.subarray(0, total), statFields(before), context);
}

/**
 * Stores the whole content of a file that was read (and checked unchanged) in one piece:
 * hashed, and written to a temp object unless its object exists already.
 */
export function storeContent(content: Buffer, stat: StatFields, context: StoreContext): StoredFile {
  hasher.reset();
  hasher.update(content);
  const hash = hasher.digest('hex');
  if (!context.noObjectsYet && existsSync(objectPathIn(context.repo, hash))) {
    return { status: 'present', ...stat, hash };
  }
  const temp = nextTempName(context);
  const out = openSync(temp, 'wx', 0o444);
  try {
    writeAll(out, content);
  } finally {
    closeSync(out);
  }
  return { status: 'stored', ...stat, hash, temp };
}

function storeStreaming(fd: number, before: BigIntStats, buf: Buffer, context: StoreContext): StoredFile {
  const size = Number(before.size);
  const temp = nextTempName(context);
  const out = openSync(temp, 'wx', 0o444);
  let kept = false;
  try {
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      hasher.update(chunk);
      writeAll(out, chunk);
      total += n;
      // Having read the size fstat gave, skip the read that returns 0: growth shows in fstat.
      if (total === size) break;
    }
    const hash = hasher.digest('hex');
    const changed = changedWhileRead(fd, before, total);
    if (changed) return changed;
    if (!context.noObjectsYet && existsSync(objectPathIn(context.repo, hash))) {
      return { status: 'present', ...statFields(before), hash };
    }
    kept = true;
    return { status: 'stored', ...statFields(before), hash, temp };
  } finally {
    closeSync(out);
    if (!kept) unlinkSync(temp);
  }
}

/** A file whose size or times moved while read is reported, never stored as if consistent. */
function changedWhileRead(fd: number, before: BigIntStats, total: number): StoredFile | undefined {
  const after = fstatSync(fd, { bigint: true });
  if (
    after.size === before.size &&
    after.mtimeNs === before.mtimeNs &&
    after.ctimeNs === before.ctimeNs &&
    BigInt(total) === before.size
  ) {
    return undefined;
  }
  return CHANGED_WHILE_READ;
}

export const CHANGED_WHILE_READ: StoredFile = {
  status: 'failed',
  code: 'ECHANGED',
  message: 'changed while being read; back it up again when it is quiet',
};

/** The parent snapshot's record still holds (vigil check's fast path, racy rule included). */
function isTrusted(parent: ParentRecord, current: BigIntStats, recordedAtNs: bigint): boolean {
  return decideFastPath({
    current: { size: current.size, mtimeNs: current.mtimeNs, ctimeNs: current.ctimeNs, ino: current.ino },
    stored: {
      size: BigInt(parent.size),
      mtimeNs: BigInt(parent.mtimeNs),
      ctimeNs: BigInt(parent.ctimeNs),
      ino: BigInt(parent.ino),
    },
    storedHashed: true,
    recordedAtNs,
  }).trusted;
}

function writeAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
}

/**
 * Temp objects go into one directory per worker: creating files in one shared directory
 * serialises the workers on its lock.
 */
let tempDirMade: string | undefined;
function nextTempName(context: StoreContext): string {
  const mine = `${context.tempDir}/w-${process.pid}-${threadId}`;
  if (tempDirMade !== mine) {
    mkdirSync(mine, { recursive: true });
    tempDirMade = mine;
  }
  return `${mine}/o-${tempCounter++}`;
}

/** What a snapshot records of a file's stat. */
export interface StatFields {
  readonly mode: number;
  readonly mtimeNs: string;
  readonly ctimeNs: string;
  readonly ino: number;
  readonly size: number;
}

function statFields(stats: BigIntStats): StatFields {
  return {
    mode: Number(stats.mode & 0o7777n),
    mtimeNs: stats.mtimeNs.toString(),
    ctimeNs: stats.ctimeNs.toString(),
    ino: Number(stats.ino),
    size: Number(stats.size),
  };
}

function failure(error: unknown): StoredFile {
  const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
  return { status: 'failed', code, message: describeErrno(code) };
}
