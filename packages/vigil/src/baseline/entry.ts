/**
 * What a baseline records about one entry, and what a scan finds: the same shape, so the
 * comparison is field against field. Paths are bytes relative to the baseline's root.
 */

export const ENTRY_TYPES = ['file', 'dir', 'symlink', 'fifo', 'socket', 'device', 'other'] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

export interface EntryState {
  /** Relative to the root, no leading `./`, no trailing `/` (see `keyOf`). */
  readonly path: Buffer;
  readonly type: EntryType;
  readonly size: bigint;
  /** Permission bits and set-id/sticky bits (`st_mode & 0o7777`); the type is `type`. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly ino: bigint;
  readonly nlink: number;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  /** A symlink's target, byte for byte. */
  readonly target?: Buffer;
  /** A regular file's content hash, when it could be read. */
  readonly digest?: Buffer;
  /**
   * Every extended attribute (POSIX ACLs, file capabilities and SELinux labels among them), as
   * a canonical record (fs/xattrs.ts; empty: none). Undefined: not known, because the reader
   * cannot read them (the JavaScript fallback), they could not be read, or the baseline was
   * made without them; an unknown record is not compared.
   */
  readonly xattrs?: Buffer;
}

/**
 * The ordering key: the path, plus `/` for a directory. Sorting keys bytewise gives the
 * walk's order (a directory right before its contents, `a.txt` before `a/` before `a0`),
 * so a baseline read in key order merges with a walk in one pass.
 */
export function keyOf(path: Buffer, type: EntryType): Buffer {
  return type === 'dir' ? Buffer.concat([path, SLASH]) : path;
}

/** The path of a key (drops a directory's trailing `/`). */
export function pathOfKey(key: Buffer): Buffer {
  return key.at(-1) === 0x2f ? key.subarray(0, key.length - 1) : key;
}

const SLASH = Buffer.from('/');

/** The entry type of an st_mode. */
export function entryTypeOf(mode: number): EntryType {
  switch (mode & 0o170000) {
    case 0o100000:
      return 'file';
    case 0o040000:
      return 'dir';
    case 0o120000:
      return 'symlink';
    case 0o010000:
      return 'fifo';
    case 0o140000:
      return 'socket';
    case 0o060000:
    case 0o020000:
      return 'device';
    default:
      return 'other';
  }
}
