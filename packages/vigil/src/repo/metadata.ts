/**
 * Capture: the metadata of one entry the walk found, as a plain node record (repository
 * format 2; docs/format-v2-metadata.md says how it is stored and what restore does with each
 * field). The entry is named by its parent directory's descriptor and its name (bytes), as
 * the walk holds them: fstatat and the xattr calls of the addon (native/meta.c), or their
 * node:fs counterparts without it (meta-calls-js.ts), never following the name; readlink
 * through /proc/self/fd/<dir>/<name>.
 */
import { readlinkSync } from 'node:fs';
import { procPath } from '../fs/proc-fd.js';
import { decodeXattrs, type Xattr } from '../fs/xattrs.js';
import { LSTAT_FIELDS } from './lstat-slots.js';
import { checked, type MetaAddon, metaAddon } from './meta-calls.js';
import { requireSafeName } from './meta-names.js';
import type { OwnerNames } from './owners.js';

export type NodeType = 'file' | 'dir' | 'symlink' | 'fifo' | 'char' | 'block' | 'socket';

/** A device number split as the kernel numbers devices (major: the driver, minor: the unit). */
export interface DeviceNumber {
  readonly major: number;
  readonly minor: number;
}

/** Where a hard-linked file (nlink > 1) was captured: the backup records its first path once. */
export interface LinkIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly nlink: number;
}

/** One entry's metadata. Names and link targets are bytes: Linux does not promise UTF-8. */
export interface MetaNode {
  readonly name: Buffer;
  readonly type: NodeType;
  /** Permission bits with setuid, setgid and sticky (mode & 0o7777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** The owner's names where the backed-up machine had them. */
  readonly user?: string;
  readonly group?: string;
  /** Nanoseconds since the epoch. */
  readonly mtimeNs: bigint;
  readonly atimeNs: bigint;
  /** Bytes, for a file; 0 for everything else. */
  readonly size: number;
  /** A symlink's target, byte for byte. */
  readonly linkTarget?: Buffer;
  /** A character or block device's number. */
  readonly device?: DeviceNumber;
  /** Every extended attribute, sorted by name (POSIX ACLs are system.posix_acl_*). */
  readonly xattrs: readonly Xattr[];
  /** Capture only (never stored): set for a file with other hard links. */
  readonly linkIdentity?: LinkIdentity;
  /** Capture only: a file's change time and inode, which the next backup compares to skip reading it. */
  readonly stamp?: { readonly ctimeNs: bigint; readonly ino: bigint };
  /** Stored for a later path of a hard-link group: the first path (relative to the snapshot's root). */
  readonly linkTo?: Buffer;
  /** Why this entry is recorded but not restored (a socket). */
  readonly skipped?: string;
}

export const SOCKET_SKIPPED = 'a socket is not backed up: the program that listens on it makes it again when it starts';

const S_IFMT = 0o170000n;
const TYPES = new Map<bigint, NodeType>([
  [0o100000n, 'file'],
  [0o040000n, 'dir'],
  [0o120000n, 'symlink'],
  [0o010000n, 'fifo'],
  [0o020000n, 'char'],
  [0o060000n, 'block'],
  [0o140000n, 'socket'],
]);

/** The type of an lstat's mode. */
export function nodeTypeOf(mode: bigint): NodeType {
  const type = TYPES.get(mode & S_IFMT);
  if (type === undefined) throw new Error(`unknown file type in mode 0o${mode.toString(8)}`);
  return type;
}

/** glibc's major()/minor() of a Linux dev_t (12+20 bits, split across the 64). */
export function splitDevice(rdev: bigint): DeviceNumber {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return { major: Number(major & 0xffffffffn), minor: Number(minor & 0xffffffffn) };
}

/** Sorted by name (bytewise), so the same attributes always make the same record. */
function readXattrs(calls: MetaAddon, dirFd: number, name: Buffer): Xattr[] {
  const record = calls.xattrsAt(dirFd, name);
  if (typeof record === 'number') checked(record, 'listxattr', name);
  return decodeXattrs(record as Buffer)
    .map(({ name, value }) => ({ name: Buffer.from(name), value: Buffer.from(value) }))
    .sort((a, b) => Buffer.compare(a.name, b.name));
}

const LSTAT = Object.fromEntries(LSTAT_FIELDS.map((field, slot) => [field, slot])) as Record<
  (typeof LSTAT_FIELDS)[number],
  number
>;
const LSTAT_SLOTS = LSTAT_FIELDS.length;

/**
 * The extended attributes a caller already knows `node` to have (its record is complete but
 * for them), or undefined to read them. A backup gives its parent snapshot's for a file whose
 * size, times and inode say it is unchanged: setting or removing an attribute (ACLs included)
 * moves the ctime, so it is the same test that keeps the file's content unread.
 */
export type KnownXattrs = (node: MetaNode) => readonly Xattr[] | undefined;

/**
 * The node record of `name` in the directory `dirFd` holds. Throws MetaCallError (with the
 * errno: ENOENT when it went away since the walk listed it) if it cannot be read. `calls`:
 * the native addon's where it is built, else node:fs's, which capture no extended attributes.
 */
export function captureEntry(
  dirFd: number,
  name: Buffer,
  owners: OwnerNames,
  calls: MetaAddon = metaAddon(),
  knownXattrs?: KnownXattrs,
): MetaNode {
  requireSafeName(name, 'to capture the entry');
  const stat = new BigInt64Array(LSTAT_SLOTS);
  checked(calls.lstatAt(dirFd, name, stat), 'lstat', name);
  const mode = stat[LSTAT.mode] as bigint;
  const type = nodeTypeOf(mode);
  const uid = Number(stat[LSTAT.uid]);
  const gid = Number(stat[LSTAT.gid]);
  const nlink = Number(stat[LSTAT.nlink]);
  const node: { -readonly [K in keyof MetaNode]: MetaNode[K] } = {
    name: Buffer.from(name),
    type,
    mode: Number(mode & 0o7777n),
    uid,
    gid,
    mtimeNs: stat[LSTAT.mtimeNs] as bigint,
    atimeNs: stat[LSTAT.atimeNs] as bigint,
    size: type === 'file' ? Number(stat[LSTAT.size]) : 0,
    xattrs: [],
  };
  const user = owners.userName(uid);
  const group = owners.groupName(gid);
  if (user !== undefined) node.user = user;
  if (group !== undefined) node.group = group;
  if (type === 'symlink') node.linkTarget = readlinkSync(procPath(dirFd, name), { encoding: 'buffer' });
  if (type === 'char' || type === 'block') node.device = splitDevice(BigInt.asUintN(64, stat[LSTAT.rdev] as bigint));
  if (type !== 'dir' && nlink > 1) {
    node.linkIdentity = {
      dev: BigInt.asUintN(64, stat[LSTAT.dev] as bigint),
      ino: BigInt.asUintN(64, stat[LSTAT.ino] as bigint),
      nlink,
    };
  }
  if (type === 'file') {
    node.stamp = { ctimeNs: stat[LSTAT.ctimeNs] as bigint, ino: BigInt.asUintN(64, stat[LSTAT.ino] as bigint) };
  }
  if (type === 'socket') node.skipped = SOCKET_SKIPPED;
  else node.xattrs = knownXattrs?.(node) ?? readXattrs(calls, dirFd, name);
  return node;
}
