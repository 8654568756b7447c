/**
 * Read-ahead for a remote RangeReader, where every read is a request (S3: one GET each,
 * about 2 ms of CPU for the signing and the HTTP round trip, whatever the size; SFTP: a
 * request and its reply through ssh2, a round trip each). Restore and
 * prune read a pack's blobs mostly in the order they were stored, thousands of small ones per
 * pack: read one request each, a restore of /usr/share from S3 took 11x the time it took from
 * a local path. So reads that follow each other fetch a window ahead, and the next reads are
 * served from it; the window doubles while reads stay sequential, as the kernel's read-ahead
 * does. Reads that jump are exact at first; once a file has been jumped around in a few
 * times (the trees of a parent snapshot, read in an order other than the one they were
 * written in), each jump fetches the aligned block around it instead, and the blocks are
 * kept: a second backup reads thousands of trees from one pack. A file read once at one
 * place (one chunk of a big pack) still fetches no bytes it does not need.
 *
 * The kept blocks are bounded per thread, not per file (least recently used go first,
 * whichever file they belong to; a file's go when it closes): the parent's trees of a second
 * backup sit in one or two packs of a few MiB, read 16 at once all over them, and eight
 * blocks per file made each block be fetched again and again (3,346 requests over SFTP for
 * the /usr/share copy's 3,600 trees; 1,558 with eight per file; about 150 with the budget).
 */
import type { RangeReader } from './storage.js';

/** The first window fetched ahead, once two reads in a row were sequential. */
const FIRST_WINDOW = 128 * 1024;
/** The largest window: memory per open pack (blob-reader.ts keeps up to 16 open per thread). */
const MAX_WINDOW = 1024 * 1024;
/** Jumps into a file before its jumps fetch blocks rather than exact ranges. */
const JUMPS_BEFORE_BLOCKS = 3;
/** A block fetched around a jump, aligned. */
const BLOCK = 64 * 1024;
/** How many blocks a thread keeps, of all its files (16 MiB): a tree pack is 16 MiB at most. */
const KEPT_BLOCKS = 256;

/** This thread's kept blocks, keyed "file number:block index", least recently used first. */
const keptBlocks = new Map<string, Buffer>();
let filesOpened = 0;

function keepBlock(key: string, block: Buffer): void {
  keptBlocks.delete(key);
  keptBlocks.set(key, block);
  while (keptBlocks.size > KEPT_BLOCKS) keptBlocks.delete(keptBlocks.keys().next().value as string);
}

/** Blocks kept now, of every file of this thread (tests check that closing a file drops its own). */
export function keptBlockCount(): number {
  return keptBlocks.size;
}

export function withReadAhead(file: RangeReader): RangeReader {
  /** Bytes fetched ahead, starting at `start`. */
  let cached: { start: number; bytes: Buffer } | undefined;
  /** Where the last read ended (-1: none yet), and the window the next sequential read fetches. */
  let lastEnd = -1;
  let window = 0;
  let jumps = 0;
  const fileNo = filesOpened++;
  /** Indexes of this file's blocks that may be kept (dropped from keptBlocks at close). */
  const mine = new Set<number>();
  /** Blocks being fetched: a read that needs one waits for that request instead of making its own (16 trees are read at once). */
  const fetching = new Map<number, Promise<Buffer>>();
  const fromBlocks = (offset: number, length: number): Buffer | undefined => {
    const first = Math.floor(offset / BLOCK);
    const last = Math.floor((offset + length - 1) / BLOCK);
    const parts: Buffer[] = [];
    for (let index = first; index <= last; index++) {
      const key = `${fileNo}:${index}`;
      const block = keptBlocks.get(key);
      if (block === undefined) return undefined;
      keepBlock(key, block);
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
      const fetch = Math.min(file.size - offset, Math.max(length, window));
      if (jumps >= JUMPS_BEFORE_BLOCKS && length < BLOCK && offset + length <= file.size) {
        // Jumped around in: a jump fetches the block around it; a sequential read its window,
        // kept as blocks too (16 reads at once interleave, and a jump back often lands there).
        const index = Math.floor(offset / BLOCK);
        const pending = fetching.get(index);
        if (pending !== undefined && Math.floor((offset + length - 1) / BLOCK) === index) {
          const at = offset - index * BLOCK;
          return Buffer.from((await pending).subarray(at, at + length));
        }
        return readBlocks(offset, length, sequential ? fetch : length);
      }
      if (fetch <= length) {
        cached = undefined;
        return file.read(offset, length);
      }
      const bytes = await file.read(offset, fetch);
      cached = { start: offset, bytes };
      return Buffer.from(bytes.subarray(0, length));
    },
    close: () => {
      for (const index of mine) keptBlocks.delete(`${fileNo}:${index}`);
      mine.clear();
      return file.close();
    },
  };

  /** Fetches the aligned blocks around [offset, offset + span) in one request, keeps them, returns [offset, offset + length). */
  async function readBlocks(offset: number, length: number, span: number): Promise<Buffer> {
    const first = Math.floor(offset / BLOCK);
    const end = Math.min(file.size, (Math.floor((offset + span - 1) / BLOCK) + 1) * BLOCK);
    const request = file.read(first * BLOCK, end - first * BLOCK);
    const single = end - first * BLOCK <= BLOCK;
    if (single) fetching.set(first, request);
    let bytes: Buffer;
    try {
      bytes = await request;
    } finally {
      if (single) fetching.delete(first);
    }
    for (let index = first; index * BLOCK < end; index++) {
      mine.add(index);
      const block = bytes.subarray((index - first) * BLOCK, Math.min(end, (index + 1) * BLOCK) - first * BLOCK);
      // A block of a bigger fetch (a window) is copied: kept alone, a view would hold the whole
      // fetch, and the bound of 16 MiB a thread would not hold.
      keepBlock(`${fileNo}:${index}`, single ? block : Buffer.from(block));
    }
    const at = offset - first * BLOCK;
    return Buffer.from(bytes.subarray(at, at + length));
  }
}
