/**
 * The layout every reader of the file-system layer writes, native or JavaScript: one record
 * of RECORD_SLOTS numbers per path (what happened to it), one stat of STAT_SLOTS per path
 * (what fstat said before it was read), and the per-path flags of a file list. Mirrors
 * `enum outcome`, `enum stat_slot` and FLAG_* in native/vigil.h.
 */

/** What happened to a path: the first slot of its record. */
export const ReadKind = {
  /** read: slot 1 offset of its bytes in the arena, slot 2 size. stat: slot 1/2 a symlink's target in the arena. */
  read: 0,
  /** Slot 1: errno. */
  failed: 1,
  /** Slot 1: st_mode. Not a regular file: never read. */
  notRegular: 2,
  /** Slot 2: size. Bigger than deferAbove: not read. */
  tooBig: 3,
  /** Slot 1: st_dev; slot 2: st_ino; slot 3: st_nlink. Has other hard links: not read. */
  linked: 4,
  /** Its size, mtime or ctime moved while it was read, or it read back short. */
  changed: 5,
  /** Slot 1: an open descriptor the caller streams and closes; slot 2: size. Bigger than the arena. */
  large: 6,
} as const;
export type ReadKind = (typeof ReadKind)[keyof typeof ReadKind];

/** Numbers per path in a records array. */
export const RECORD_SLOTS = 4;

/** Numbers per path in a stats array (a BigInt64Array). */
export const StatSlot = {
  mode: 0,
  size: 1,
  mtimeNs: 2,
  ctimeNs: 3,
  ino: 4,
  dev: 5,
  nlink: 6,
  uid: 7,
  gid: 8,
} as const;
export const STAT_SLOTS = 9;

/** Per-path flags of a file list. */
export const PathFlag = {
  /** Follow links in the whole path (operands, --follow, --check): opened by O_PATH first, so a device never is. */
  follow: 1,
  /** Read it even if it has other hard links (the caller chose this name to read the inode). */
  readLinked: 2,
} as const;

/** What fstat (or lstat) said of an entry. */
export interface StatRecord {
  /** st_mode, type bits included. */
  readonly mode: number;
  readonly size: number;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly ino: bigint;
  readonly dev: number;
  readonly nlink: number;
  readonly uid: number;
  readonly gid: number;
}

/** The stat of path `i` in a stats array. */
export function statAt(stats: BigInt64Array, i: number): StatRecord {
  const at = i * STAT_SLOTS;
  return {
    mode: Number(stats[at + StatSlot.mode]),
    size: Number(stats[at + StatSlot.size]),
    mtimeNs: stats[at + StatSlot.mtimeNs] as bigint,
    ctimeNs: stats[at + StatSlot.ctimeNs] as bigint,
    ino: BigInt.asUintN(64, stats[at + StatSlot.ino] as bigint),
    dev: Number(BigInt.asUintN(64, stats[at + StatSlot.dev] as bigint)),
    nlink: Number(stats[at + StatSlot.nlink]),
    uid: Number(stats[at + StatSlot.uid]),
    gid: Number(stats[at + StatSlot.gid]),
  };
}

/** Writes a stat (node:fs BigIntStats, or a StatRecord) into a stats array at `i`. */
export function putStat(
  stats: BigInt64Array,
  i: number,
  s: { readonly [K in keyof StatRecord]: number | bigint },
): void {
  const at = i * STAT_SLOTS;
  for (const [name, slot] of Object.entries(StatSlot) as [keyof StatRecord, number][]) {
    stats[at + slot] = BigInt.asIntN(64, BigInt(s[name]));
  }
}

/**
 * Whether a file's size, mtime or ctime (to the nanosecond) differ between the fstat before
 * its read and the one after: the "changed while read" rule (native/read_verified.c has it in C).
 */
export function movedWhileRead(
  before: { readonly size: number | bigint; readonly mtimeNs: bigint; readonly ctimeNs: bigint },
  after: { readonly size: bigint; readonly mtimeNs: bigint; readonly ctimeNs: bigint },
): boolean {
  return BigInt(before.size) !== after.size || before.mtimeNs !== after.mtimeNs || before.ctimeNs !== after.ctimeNs;
}
