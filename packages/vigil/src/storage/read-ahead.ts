/**
 * Read-ahead for a remote RangeReader, where every read is a request (S3: one GET each,
 * about 2 ms of CPU for the signing and the HTTP round trip, whatever the size). Restore and
 * prune read a pack's blobs mostly in the order they were stored, thousands of small ones per
 * pack: read one request each, a restore of /usr/share from S3 took 11x the time it took from
 * a local path. So reads that follow each other fetch a window ahead, and the next reads are
 * served from it; the window doubles while reads stay sequential, as the kernel's read-ahead
 * does, and falls back to exact reads as soon as one jumps, so random reads (one tree here,
 * one chunk there) fetch no bytes they do not need.
 */
import type { RangeReader } from './storage.js';

/** The first window fetched ahead, once two reads in a row were sequential. */
const FIRST_WINDOW = 128 * 1024;
/** The largest window: memory per open pack (blob-reader.ts keeps a few packs open). */
const MAX_WINDOW = 4 * 1024 * 1024;

export function withReadAhead(file: RangeReader): RangeReader {
  /** Bytes fetched ahead, starting at `start`. */
  let cached: { start: number; bytes: Buffer } | undefined;
  /** Where the last read ended (-1: none yet), and the window the next sequential read fetches. */
  let lastEnd = -1;
  let window = 0;
  return {
    size: file.size,
    async read(offset, length) {
      if (cached !== undefined && offset >= cached.start && offset + length <= cached.start + cached.bytes.length) {
        lastEnd = offset + length;
        // A copy: callers own what they are given, and the window is reused.
        return Buffer.from(cached.bytes.subarray(offset - cached.start, offset - cached.start + length));
      }
      // Sequential: this read starts at, or shortly after, where the last one ended (a blob
      // skipped because it was restored already leaves a small gap).
      const sequential = lastEnd >= 0 && offset >= lastEnd && offset - lastEnd <= Math.max(window, FIRST_WINDOW);
      window = sequential ? Math.min(MAX_WINDOW, window === 0 ? FIRST_WINDOW : window * 2) : 0;
      lastEnd = offset + length;
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
}
