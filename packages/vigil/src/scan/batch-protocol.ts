/**
 * What crosses between the main thread and a hashing worker: one request per batch of
 * files, one result per batch. Both are compact (typed arrays, not one object per file),
 * because structured cloning costs per object and a batch holds hundreds of files.
 * Paths travel as a FileList (fs/file-list.ts): raw bytes, so names that are not valid
 * UTF-8 reach open(2) byte for byte.
 */

import type { AlgorithmName } from '../checksums/algorithms.js';
import type { FileList } from '../fs/file-list.js';
import type { ReadingCounter } from '../fs/reading-bytes.js';
import type { Blake3Mode } from './blake3-mode.js';

export interface HashBatchRequest {
  readonly algorithm: AlgorithmName;
  /** The files, with PathFlag bits (fs/records.ts) and root prefixes. */
  readonly list: FileList;
  /** BLAKE3 keyed, derive-key or extended-output mode (b3sum's flags). */
  readonly blake3?: Blake3Mode;
  /** Where the worker counts the pieces of big files as it reads them (fs/reading-bytes.ts). */
  readonly reading?: ReadingCounter;
  /**
   * Run in the main thread (hash-pools.ts): a file too big to share a batch is handed back
   * even when it is the batch's only file, for a worker, so the main thread never hashes for long.
   */
  readonly inMainThread?: boolean;
}

/** What happened to each path of a batch. */
export const FileStatus = {
  /** Hashed: its digest and size are in the result. */
  hashed: 0,
  /** Could not be read, or changed while read: see `problems`. */
  failed: 1,
  /** Not a regular file (FIFO, socket, device, directory): never opened or read. */
  notRegular: 2,
  /** A big file in a batch of several: send it again on its own so it does not hold up the others. */
  sendAlone: 3,
  /** Not attempted: the batch already did its share of bytes; send it again in a new batch. */
  sendLater: 4,
  /** Has other hard links and was not read: see `links`; the main thread picks one path per inode. */
  linked: 5,
} as const;
export type FileStatus = (typeof FileStatus)[keyof typeof FileStatus];

export interface FileProblem {
  readonly index: number;
  /** An errno code (`EACCES`, `ENOENT`...), or `ECHANGED` for a file that changed while read. */
  readonly code: string;
  readonly message: string;
}

export interface LinkedFile {
  readonly index: number;
  readonly dev: number;
  readonly ino: number;
  readonly nlink: number;
}

export interface HashBatchResult {
  readonly status: Uint8Array;
  /** Digest of path i at i x digest length; meaningful where status is `hashed`. */
  readonly digests: Uint8Array;
  /** Size in bytes of each hashed file. */
  readonly sizes: Float64Array;
  readonly problems: readonly FileProblem[];
  readonly links: readonly LinkedFile[];
  /** For `notRegular`: what it is (`fifo`, `socket`, `device`, `directory`, `other`), by index. */
  readonly kinds: Readonly<Record<number, string>>;
}
