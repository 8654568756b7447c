/**
 * Read-ahead for a remote RangeReader, where every read is a request (S3: one GET each,
 * about 2 ms of CPU for the signing and the HTTP round trip, whatever the size). Restore and
 * prune read a pack's blobs mostly in the order they were stored, thousands of small ones per
 * pack: read one request each, a restore of /usr/share from S3 took 11x the time it took from
 * a local path. So reads that follow each other fetch a window ahead, and the next reads are
 * served from it; the window doubles while reads stay sequential, as the kernel's read-ahead
 * does. Reads that jump are exact at first; once a file has been jumped around in a few
 * times (the trees of a parent snapshot, read in an order other than the one they were
 * written in), each jump fetches the aligned block around it instead, and a few such blocks
 * are kept: a second backup reads thousands of trees from one pack. A file read once at one
 * place (one chunk of a big pack) still fetches no bytes it does not need.
 */
import type { RangeReader } from './storage.js';

/** The first window fetched ahead, once two reads in a row were sequential. */
const FIRST_WINDOW = 128 * 1024;
/** The largest window: memory per open pack (blob-reader.ts keeps up to 16 open per thread). */
const MAX_WINDOW = 1024 * 1024;
/** Jumps into a file before its jumps fetch blocks rather than exact ranges. */
const JUMPS_BEFORE_BLOCKS = 3;
/** A block fetched around a jump, aligned, and how many are kept per file (least recently used go). */
const BLOCK = 64 * 1024;
const KEPT_BLOCKS = 8;

export function withReadAhead(file: RangeReader): RangeReader {
  /** Bytes fetched ahead, starting at `start`. */
  let cached: { start: number; bytes: Buffer } | undefined;
  /** Where the last read ended (-1: none yet), and the window the next sequential read fetches. */
  let lastEnd = -1;
  let window = 0;
  let jumps = 0;
  /** Blocks fetched around jumps, by index, least recently used first. */
  const blocks = new Map<number, Buffer>();
  const fromBlocks = (offset: number, length: number): Buffer | undefined => {
    const first = Math.floor(offset / BLOCK);
    const last = Math.floor((offset + length - 1) / BLOCK);
    const parts: Buffer[] = [];
    for (let index = first; index <= last; index++) {
      const block = blocks.get(index);
      if (block === undefined) return undefined;
      blocks.delete(index);
      blocks.set(index, block);
      parts.push(block);
    }
    const joined = Buffer.concat(parts);
    const at = offset - first * BLOCK;
    if (at + length > joined.length) return undefined;
    return Buffer.from(joined.subarray(at, at + length));
  };
  return {
    size: file.size,
    async read(offset, length) {
      if (cached !== undefined && offset >= cached.start && offset + length <= cached.start + cached.bytes.length) {
        lastEnd = offset + length;
        // A copy: callers own what they are given, and the window is reused.
        return Buffer.from(cached.bytes.subarray(offset - cached.start, offset - cached.start + length));
      }
      const kept = length > 0 ? fromBlocks(offset, length) : undefined;
      if (kept !== undefined) {
        lastEnd = offset + length;
        return kept;
      }
      // Sequential: this read starts at, or shortly after, where the last one ended (a blob
      // skipped because it was restored already leaves a small gap).
      const sequential = lastEnd >= 0 && offset >= lastEnd && offset - lastEnd <= Math.max(window, FIRST_WINDOW);
      window = sequential ? Math.min(MAX_WINDOW, window === 0 ? FIRST_WINDOW : window * 2) : 0;
      if (!sequential && lastEnd >= 0) jumps++;
      lastEnd = offset + length;
      if (!sequential && jumps >= JUMPS_BEFORE_BLOCKS && length < BLOCK && offset + length <= file.size) {
        return readBlocks(offset, length);
      }
      const fetch = Math.min(file.size - offset, Math.max(length, window));
      if (fetch <= length) {
        cached = undefined;
        return file.read(offset, length);
      }
      const bytes = await file.read(offset, fetch);
      cached = { start: offset, bytes };
      return Buffer.from(bytes.subarray(0, length));
    },
    close: () => file.close(),
  };

  /** Fetches the aligned blocks around [offset, offset + length) in one request, keeps them, returns the range. */
  async function readBlocks(offset: number, length: number): Promise<Buffer> {
    const first = Math.floor(offset / BLOCK);
    const end = Math.min(file.size, (Math.floor((offset + length - 1) / BLOCK) + 1) * BLOCK);
    const bytes = await file.read(first * BLOCK, end - first * BLOCK);
    for (let index = first; index * BLOCK < end; index++) {
      blocks.delete(index);
      blocks.set(index, bytes.subarray((index - first) * BLOCK, Math.min(end, (index + 1) * BLOCK) - first * BLOCK));
      if (blocks.size > KEPT_BLOCKS) blocks.delete(blocks.keys().next().value as number);
    }
    const at = offset - first * BLOCK;
    return Buffer.from(bytes.subarray(at, at + length));
  }
}
