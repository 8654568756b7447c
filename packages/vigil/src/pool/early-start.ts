/**
 * Whether a run should start its worker threads before it walks: a worker thread takes about
 * as long to start (Node's bootstrap in a new isolate) as the main thread takes to load the
 * modules of a run, so starting them first lets both happen at once on two cores instead of one
 * after the other (docs/benchmarks.md, issue 22, third session). A run whose whole input fits in
 * one batch is hashed in the main thread without workers (hash-pools.ts); starting them for it
 * would cost their start for nothing, so only operands that look bigger than a batch count.
 */
import { type Dirent, readdirSync, type Stats, statSync } from 'node:fs';
import { ALONE_ABOVE_BYTES, BATCH_BYTE_BUDGET } from '../fs/batch-reads.js';

/**
 * Bytes of a directory's own size above which it holds more entries than fit one batch on most
 * file systems (ext4 and XFS grow directories by 4 KiB blocks of about 200 entries; tmpfs and
 * btrfs count about 20 bytes an entry).
 */
const ONE_BLOCK_OF_ENTRIES = 4096;

/**
 * True when one of `operands` is a directory with subdirectories (a link count above 2) or
 * with more than a block of entries, or when the operands hold more bytes than the main thread
 * hashes itself: a regular file over ALONE_ABOVE_BYTES (the main thread hands it to a worker),
 * or files over BATCH_BYTE_BUDGET in all (the rest of the batch goes to the workers). A small
 * flat directory is listed (one block of entries) and its files stat'ed for that; nothing is
 * walked. A wrong guess costs either the workers' start (a small run) or the overlap (a big one).
 */
export function looksLikeManyFiles(operands: readonly Buffer[]): boolean {
  let bytes = 0;
  for (const operand of operands) {
    // Operands are followed, as the walk follows them; the entries of a directory are not.
    const stats = statOrUndefined(operand);
    if (stats?.isDirectory()) {
      if (stats.nlink > 2 || stats.size > ONE_BLOCK_OF_ENTRIES) return true;
      bytes += bytesOfFlatDirectory(operand);
    } else if (stats?.isFile()) {
      bytes += stats.size > ALONE_ABOVE_BYTES ? Number.POSITIVE_INFINITY : stats.size;
    }
    if (bytes > BATCH_BYTE_BUDGET) return true;
  }
  return false;
}

/**
 * The bytes of the regular files directly in `dir` (a directory of at most one block of
 * entries); infinite once one of them is over ALONE_ABOVE_BYTES, which is enough to answer.
 */
function bytesOfFlatDirectory(dir: Buffer): number {
  let entries: Dirent<Buffer>[];
  try {
    entries = readdirSync(dir, { encoding: 'buffer', withFileTypes: true });
  } catch {
    return 0; // as statOrUndefined: the walk meets the same error and reports it
  }
  let bytes = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const stats = statOrUndefined(Buffer.concat([dir, SLASH, entry.name]));
    if (stats === undefined) continue;
    if (stats.size > ALONE_ABOVE_BYTES) return Number.POSITIVE_INFINITY;
    bytes += stats.size;
  }
  return bytes;
}

/**
 * The stat of `path`, or undefined when it cannot be had (missing, or a directory readable but
 * not searchable): a guess must not end the run; the walk reports the error with its path.
 */
function statOrUndefined(path: Buffer): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

const SLASH = Buffer.from('/');
