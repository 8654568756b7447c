/**
 * What crosses between the main thread and an inspecting worker (baseline, check, accept):
 * a batch of paths with what the baseline recorded for each (so the worker can take the
 * fast path), and back the stat of each, a digest where it read one, a link target where
 * it is a symlink, its extended attributes where they were read. Typed arrays, not an
 * object per entry: cloning costs per object.
 */

import type { AlgorithmName } from '../checksums/algorithms.js';
import type { FileList } from '../fs/file-list.js';
import type { ReadingCounter } from '../fs/reading-bytes.js';
import type { Fingerprint } from './fast-path.js';

/** Slots per path in `InspectRequest.stored`. */
export const STORED_FIELDS = 4;
const StoredSlot = { size: 0, mtimeNs: 1, ctimeNs: 2, ino: 3 } as const;

/** Writes what the baseline recorded of path i (the engine's side) where `storedFingerprint` reads it. */
export function putStoredFingerprint(stored: BigInt64Array, i: number, recorded: Fingerprint): void {
  const at = i * STORED_FIELDS;
  stored[at + StoredSlot.size] = recorded.size;
  stored[at + StoredSlot.mtimeNs] = recorded.mtimeNs;
  stored[at + StoredSlot.ctimeNs] = recorded.ctimeNs;
  stored[at + StoredSlot.ino] = recorded.ino;
}

/** What the baseline recorded of path i (the worker's side), as `putStoredFingerprint` wrote it. */
export function storedFingerprint(stored: BigInt64Array, i: number): Fingerprint {
  const at = i * STORED_FIELDS;
  return {
    size: stored[at + StoredSlot.size] as bigint,
    mtimeNs: stored[at + StoredSlot.mtimeNs] as bigint,
    ctimeNs: stored[at + StoredSlot.ctimeNs] as bigint,
    ino: stored[at + StoredSlot.ino] as bigint,
  };
}

/** Per-path `InspectRequest.storedState`. */
export const StoredState = {
  /** Not in the baseline: read it. */
  none: 0,
  /** In the baseline with a content hash: the fast path may trust it. */
  hashed: 1,
  /** In the baseline without a hash (it was unreadable): read it. */
  unhashed: 2,
} as const;

export interface InspectRequest {
  readonly algorithm: AlgorithmName;
  /** The entries (no flags: nothing is followed), with their root prefixes. */
  readonly list: FileList;
  readonly storedState: Uint8Array;
  /** STORED_FIELDS per path (meaningful where storedState is not `none`). */
  readonly stored: BigInt64Array;
  /** When the baseline's scan began (ns since the epoch): the racy-timestamp reference. */
  readonly recordedAtNs: bigint;
  /** `--full`: read every file. */
  readonly full: boolean;
  /**
   * 1 where the baseline holds the entry's extended attributes: a file the fast path trusts
   * keeps them unread (setting or removing an attribute changes the ctime, which the fast
   * path compares). Elsewhere they are read.
   */
  readonly xattrsKnown: Uint8Array;
  /** Where the worker counts the pieces of big files as it reads them (fs/reading-bytes.ts). */
  readonly reading?: ReadingCounter;
  /**
   * Run in the main thread (pool/hash-pools.ts): a file over ALONE_ABOVE_BYTES is handed back
   * (status later) for a worker, so the main thread never hashes for long.
   */
  readonly inMainThread?: boolean;
}

/** What happened to each path. */
export const InspectStatus = {
  /** Stat taken, content not read: the fast path trusted it. */
  trusted: 0,
  /** A regular file, read and hashed: see `digests`. */
  hashed: 1,
  /** Not a regular file: stat taken (and a symlink's target), nothing opened. */
  statOnly: 2,
  /** Could not be read (`problems`); `statValid` says whether the stat is there. */
  unreadable: 3,
  /** Changed while it was read (stat before and after differ). */
  unstable: 4,
  /** Gone between the walk and the stat. */
  vanished: 5,
  /** Not attempted: the batch did its share of bytes; send it again. */
  later: 6,
} as const;
export type InspectStatus = (typeof InspectStatus)[keyof typeof InspectStatus];

export interface InspectProblem {
  readonly index: number;
  readonly code: string;
  readonly message: string;
}

export interface InspectResult {
  readonly status: Uint8Array;
  /** 1 where `stats` holds the entry's stat. */
  readonly statValid: Uint8Array;
  /** The stat of each entry, in the file-system layer's layout (fs/records.ts, STAT_SLOTS per path). */
  readonly stats: BigInt64Array;
  /** Digest of path i at i x digest length, where status is `hashed`. */
  readonly digests: Uint8Array;
  /** Symlink targets by index. */
  readonly targets: Readonly<Record<number, Uint8Array>>;
  /**
   * Extended attributes: per entry the length of its canonical record (fs/xattrs.ts) in
   * `xattrs`, or -1 where they were not read; the records lie back to back in index order.
   */
  readonly xattrLengths: Int32Array;
  readonly xattrs: Uint8Array;
  readonly problems: readonly InspectProblem[];
  /** Bytes read, for progress. */
  readonly bytesRead: number;
}
