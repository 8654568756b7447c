/**
 * What crosses between the backup's main thread and its workers: a batch of source files in,
 * per file its stat and what became of its content out.
 */
import type { FileList } from '../fs/file-list.js';
import type { ReadingCounter } from '../fs/reading-bytes.js';

export interface StoreBatchRequest {
  /** Absolute path of the repository. */
  readonly repo: string;
  /** Directory for this run's temp objects (REPO/tmp/<run>). */
  readonly tempDir: string;
  /** The source files, with their root prefixes (the sources). */
  readonly list: FileList;
  /** Per path, what the parent snapshot recorded (null: no parent entry, read it). */
  readonly parents: readonly (ParentRecord | null)[];
  /** The parent snapshot's start, nanoseconds (the racy-timestamp rule). */
  readonly parentTimeNs: string;
  /**
   * The repository held no object when the run started. Objects are named only at the end of
   * a run, so none can exist during it: workers skip looking for one (a lookup per new file).
   */
  readonly noObjectsYet: boolean;
  /** Where the worker counts the pieces of big files as it reads them (fs/reading-bytes.ts). */
  readonly reading?: ReadingCounter;
}

/** A file as the parent snapshot recorded it (times as decimal nanoseconds). */
export interface ParentRecord {
  readonly size: number;
  readonly mtimeNs: string;
  readonly ctimeNs: string;
  readonly ino: number;
  readonly hash: string;
}

export type StoredFile =
  | {
      /** unchanged: trusted from the parent; stored: a new object; present: content already in the repository. */
      readonly status: 'unchanged' | 'stored' | 'present';
      readonly mode: number;
      readonly mtimeNs: string;
      readonly ctimeNs: string;
      readonly ino: number;
      readonly size: number;
      readonly hash: string;
      /** stored: the temp object, not yet flushed; the main thread renames it into place after one flush. */
      readonly temp?: string;
    }
  | { readonly status: 'failed'; readonly code: string; readonly message: string }
  /** Replaced by something that is not a regular file since the walk saw it. */
  | { readonly status: 'notRegular' };

export interface StoreBatchResult {
  readonly files: readonly StoredFile[];
}

export interface VerifyObjectsRequest {
  readonly repo: string;
  readonly hashes: readonly string[];
}

export interface ObjectProblem {
  readonly hash: string;
  /** 'missing', 'corrupt' (its content hashes to something else), or an errno code. */
  readonly problem: string;
}

export interface VerifyObjectsResult {
  readonly ok: number;
  readonly bytes: number;
  readonly problems: readonly ObjectProblem[];
}
