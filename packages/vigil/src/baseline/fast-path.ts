/**
 * The fast path, as git's index has it: an entry whose size, mtime, ctime and inode all
 * match what was recorded is trusted without being read. Pure: stat values in, a decision
 * out, so `vigil check`, `vigil accept` and `vigil backup` decide alike.
 *
 * The racy-timestamp rule: file systems stamp mtimes from a coarse clock (a kernel tick;
 * whole seconds on some, two on FAT). A file written within the same tick as it was
 * recorded can change again without its mtime moving, so a recorded mtime that close to
 * (or after) the moment recording began proves nothing and the entry is read again.
 */

/** The stat values the fast path compares (nanoseconds and inode as bigint: they exceed 2^53). */
export interface Fingerprint {
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly ino: bigint;
}

/**
 * How close to the recording time an mtime must be to count as racy. Two seconds covers
 * FAT's two-second stamps, one-second stamps (ext3, some network file systems) and the
 * lag of the kernel's coarse clock behind the wall clock we read.
 */
export const RACY_WINDOW_NS = 2_000_000_000n;

export type RehashReason = 'new' | 'full' | 'unhashed' | 'size' | 'mtime' | 'ctime' | 'inode' | 'racy';

export type FastPathDecision = { readonly trusted: true } | { readonly trusted: false; readonly reason: RehashReason };

const TRUSTED: FastPathDecision = { trusted: true };

export interface FastPathInput {
  /** What lstat/fstat says now. */
  readonly current: Fingerprint;
  /** What was recorded, or undefined for an entry not recorded before. */
  readonly stored: Fingerprint | undefined;
  /** Whether the recorded entry has a content hash at all (it may have been unreadable). */
  readonly storedHashed: boolean;
  /**
   * When the recording began (wall clock, ns since the epoch): the scan's start, not the
   * database's write, because an entry is stat'ed at some moment after the scan began and
   * the race is between that stat and a write in the same tick.
   */
  readonly recordedAtNs: bigint;
  /** `--full`: trust nothing. */
  readonly full?: boolean;
}

/** Whether the stored content hash of an entry can be trusted without reading it again. */
export function decideFastPath(input: FastPathInput): FastPathDecision {
  const { current, stored } = input;
  if (stored === undefined) return { trusted: false, reason: 'new' };
  if (input.full) return { trusted: false, reason: 'full' };
  if (!input.storedHashed) return { trusted: false, reason: 'unhashed' };
  if (current.size !== stored.size) return { trusted: false, reason: 'size' };
  if (current.mtimeNs !== stored.mtimeNs) return { trusted: false, reason: 'mtime' };
  if (current.ctimeNs !== stored.ctimeNs) return { trusted: false, reason: 'ctime' };
  if (current.ino !== stored.ino) return { trusted: false, reason: 'inode' };
  if (isRacy(stored.mtimeNs, input.recordedAtNs)) return { trusted: false, reason: 'racy' };
  return TRUSTED;
}

/** Git's racy rule: an mtime within RACY_WINDOW_NS of the recording time, or after it. */
export function isRacy(mtimeNs: bigint, recordedAtNs: bigint): boolean {
  return mtimeNs >= recordedAtNs - RACY_WINDOW_NS;
}

/** Wall-clock time in nanoseconds since the epoch, for `recordedAtNs`. */
export function nowNs(): bigint {
  // Millisecond resolution is plenty: the racy window is two seconds wide.
  return BigInt(Date.now()) * 1_000_000n;
}
