/**
 * The one interface every source file is read through (hash, check, baseline, backup):
 * batch calls over a FileList that write records and stats (records.ts) and file contents
 * into an arena. Two implementations keep the same contract: the native addon's (reader.ts,
 * C system calls) and the JavaScript fallback's (js-reader.ts, node:fs); reader.ts picks.
 *
 * Every call starts at `buffers.cursor` = [index, byte position in paths], writes one record
 * per path it finishes, and leaves the cursor where it stopped (see each method).
 */
import type { FileList } from './file-list.js';
import type { ReadingCounter } from './reading-bytes.js';

/** The typed arrays a batch call works in: where it is, the file bytes, a record and a stat per path. */
export interface BatchBuffers {
  /** [index, byte position in paths]: where the call starts; moved to where it stopped. */
  readonly cursor: Uint32Array;
  readonly arena: Uint8Array;
  /** RECORD_SLOTS numbers per path (records.ts). */
  readonly records: Float64Array;
  /** STAT_SLOTS numbers per path (records.ts). */
  readonly stats: BigInt64Array;
  /**
   * Where hashFiles counts the pieces of a file longer than the arena as it reads them, for the
   * progress bar (reading-bytes.ts): a file read whole leaves its size there for the caller to
   * take off (batch-reads.ts does); a file that fails takes its own pieces back.
   */
  readonly reading?: ReadingCounter | undefined;
}

/** The name hashFiles knows BLAKE3 by, when the reader can hash it (see FileReader.canHash). */
export const BLAKE3_IN_READER = 'BLAKE3';

/** What hashFiles hashes with, and where the digests go. */
export interface DigestTarget {
  /** OpenSSL's name ("SHA256", "SHA512", "SHA1", "MD5"), or BLAKE3_IN_READER where canHash says so. */
  readonly algorithm: string;
  /** Path i's digest at i x digest length. */
  readonly digests: Uint8Array;
  /** Stop before starting a file once this many bytes were hashed. */
  readonly byteBudget: number;
}

export interface FileReader {
  /**
   * Reads files whole into the arena, back to back, with the fstat/read/fstat rule. Stops
   * when every path is done, when the next file does not fit what is left of the arena, or
   * right after a `large` one (left open for the caller: see eachRead).
   */
  readFiles(list: FileList, buffers: BatchBuffers, deferAbove: number): void;
  /** Closes the descriptor of a `large` outcome (opened by this reader, so closed by it). */
  closeLarge(fd: number): void;
  /** Like readFiles, but hashes each file itself, streaming any size through the arena (no `large`). */
  hashFiles(list: FileList, buffers: BatchBuffers, deferAbove: number, target: DigestTarget): void;
  /** Whether hashFiles takes `algorithm` (a DigestTarget name): every OpenSSL digest; BLAKE3 only in some. */
  canHash(algorithm: string): boolean;
  /**
   * lstat beneath the root (a `follow` path: stat through its links); a symlink's target goes
   * to the arena. Stops when the arena may not hold the next target.
   */
  statFiles(list: FileList, buffers: BatchBuffers): void;
  /**
   * Whether xattrFiles works: only the native reader's does (Node.js has no call for
   * extended attributes), so the JavaScript fallback records none.
   */
  readonly readsXattrs: boolean;
  /**
   * Every extended attribute of each path beneath the root, not following its last component:
   * a `read` record whose slots 1 and 2 are the offset and length of the attributes in the
   * arena (layout: native/xattrs.c; decoded by fs/xattrs.ts). Stops when the next path's
   * attributes may not fit what is left of the arena.
   */
  xattrFiles(list: FileList, buffers: BatchBuffers): void;
}
