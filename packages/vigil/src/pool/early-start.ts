/**
 * Whether a run should start its worker threads before it walks: a worker thread takes about
 * as long to start (Node's bootstrap in a new isolate) as the main thread takes to load the
 * modules of a run, so starting them first lets both happen at once on two cores instead of one
 * after the other (docs/benchmarks.md, issue 22, third session). A run whose whole input fits in
 * one batch is hashed in the main thread without workers (hash-pools.ts); starting them for it
 * would cost their start for nothing, so only operands that look bigger than a batch count.
 */
import { statSync } from 'node:fs';

/**
 * Bytes of a directory's own size above which it holds more entries than fit one batch on most
 * file systems (ext4 and XFS grow directories by 4 KiB blocks of about 200 entries; tmpfs and
 * btrfs count about 20 bytes an entry).
 */
const ONE_BLOCK_OF_ENTRIES = 4096;

/**
 * True when one of `operands` is a directory with subdirectories (a link count above 2) or
 * with more than a block of entries. A guess from one stat each, never a walk: a wrong guess
 * costs either the workers' start (a small directory) or the overlap (a few big files).
 */
export function looksLikeManyFiles(operands: readonly Buffer[]): boolean {
  return operands.some((operand) => {
    const stats = statSync(operand, { throwIfNoEntry: false });
    if (stats === undefined || !stats.isDirectory()) return false;
    return stats.nlink > 2 || stats.size > ONE_BLOCK_OF_ENTRIES;
  });
}
