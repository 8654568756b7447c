/**
 * Inside a worker: bring one source file's content into the repository. The file was read
 * once by the file-system layer (fs/, with its fstat/read/fstat rule); its bytes are hashed
 * and (unless the content turns out to be stored already) written to a temp object at the
 * same time. The worker does not fsync or rename it: the main thread flushes the whole file
 * system once when every object of the run is written, and only then renames the temp
 * objects to objects/ab/<hash> (run-backup.ts). An object name therefore always names
 * complete, durable content, for one flush instead of one fsync per object.
 *
 * A file that fit the reader's arena is written only if its object is missing (the common
 * case for small files: no temp write for content already stored); a larger one streams
 * into its temp object as it is read.
 */
import { closeSync, existsSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import type { LargeFile } from '../fs/batch-reads.js';
import type { StatRecord } from '../fs/records.js';
import { objectPathIn } from './repository.js';
import type { StoredFile } from './store-protocol.js';

const hasher = new Blake3Hasher();
let tempCounter = 0;

export interface StoreContext {
  readonly repo: string;
  readonly tempDir: string;
  readonly parentTimeNs: bigint;
  /** No object can exist yet in this run (see StoreBatchRequest.noObjectsYet). */
  readonly noObjectsYet: boolean;
}

/** What a snapshot records of a file's stat. */
export interface StatFields {
  readonly mode: number;
  readonly mtimeNs: string;
  readonly ctimeNs: string;
  readonly ino: number;
  readonly size: number;
}

export function statFields(stat: StatRecord): StatFields {
  return {
    mode: stat.mode & 0o7777,
    mtimeNs: stat.mtimeNs.toString(),
    ctimeNs: stat.ctimeNs.toString(),
    ino: Number(stat.ino),
    size: stat.size,
  };
}

/**
 * Stores the whole content of a file that was read (and checked unchanged) in one piece:
 * hashed, and written to a temp object unless its object exists already.
 */
export function storeContent(content: Uint8Array, stat: StatFields, context: StoreContext): StoredFile {
  hasher.reset();
  hasher.update(content);
  const hash = hasher.digest('hex');
  if (isStored(hash, context)) return { status: 'present', ...stat, hash };
  const temp = nextTempName(context);
  const out = openSync(temp, 'wx', 0o444);
  try {
    writeAll(out, content);
  } finally {
    closeSync(out);
  }
  return { status: 'stored', ...stat, hash, temp };
}

/** Streams a file too big for the reader's arena into a temp object, hashing it on the way. */
export function storeStreaming(file: LargeFile, stat: StatFields, context: StoreContext): StoredFile {
  const temp = nextTempName(context);
  const out = openSync(temp, 'wx', 0o444);
  let kept = false;
  try {
    hasher.reset();
    const failure = file.read((chunk) => {
      hasher.update(chunk);
      writeAll(out, chunk);
    });
    if (failure) return { status: 'failed', ...failure };
    const hash = hasher.digest('hex');
    if (isStored(hash, context)) return { status: 'present', ...stat, hash };
    kept = true;
    return { status: 'stored', ...stat, hash, temp };
  } finally {
    closeSync(out);
    if (!kept) unlinkSync(temp);
  }
}

function isStored(hash: string, context: StoreContext): boolean {
  return !context.noObjectsYet && existsSync(objectPathIn(context.repo, hash));
}

function writeAll(fd: number, data: Uint8Array): void {
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
