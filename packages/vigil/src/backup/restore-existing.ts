/**
 * What TARGET already holds where restore is about to put an entry: nothing, the same entry,
 * or something else. "The same" means the same type and the same content: for a file, every
 * chunk the snapshot records hashes to its id here (keyed, as the backup made it) and every
 * byte between chunks is zero; for a symlink, the same target; for a FIFO, a FIFO; for a
 * device, the same device number. Metadata is not compared: restore sets it on an entry it
 * keeps.
 *
 * Reading never follows a symlink at the name (O_NOFOLLOW) and never blocks on a FIFO
 * (O_NONBLOCK), and stops at the first difference.
 */
import { constants, fstatSync, lstatSync, readlinkSync, readSync } from 'node:fs';
import { procPath } from '../fs/proc-fd.js';
import type { BlobReader } from '../repo/blob-reader.js';
import type { MetaAddon } from '../repo/meta-calls.js';
import { showName } from '../repo/meta-errors.js';
import type { MetaNode } from '../repo/metadata.js';
import type { ContentRef } from '../repo/tree.js';

export type ExistingEntry = 'absent' | 'identical' | 'different';

const READ_EXISTING = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const ENOENT = -2;
/** Bytes read at once between chunks (which must be zero). */
const GAP_PIECE = 1 << 20;

/** Compares the file at `node.name` in `dirFd` with the content the snapshot records. */
export function existingFile(
  calls: MetaAddon,
  reader: BlobReader,
  dirFd: number,
  node: MetaNode,
  content: readonly ContentRef[],
): ExistingEntry {
  const fd = calls.openAt(dirFd, node.name, READ_EXISTING, 0);
  if (fd === ENOENT) return 'absent';
  if (fd < 0) return 'different';
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size !== node.size) return 'different';
    let at = 0;
    for (const ref of content) {
      if (!zeroes(fd, at, ref.offset)) return 'different';
      const bytes = readExactly(fd, ref.offset, ref.length);
      if (bytes === undefined || !reader.isBlob(ref.id, bytes)) return 'different';
      at = ref.offset + ref.length;
    }
    return zeroes(fd, at, node.size) ? 'identical' : 'different';
  } catch (error) {
    throw new Error(`cannot compare ${showName(node.name)} in the target (${(error as Error).message})`);
  } finally {
    calls.closeDescriptor(fd);
  }
}

/** Compares a symlink, FIFO or device at `node.name` in `dirFd` with the recorded one. */
export function existingSpecial(dirFd: number, node: MetaNode): ExistingEntry {
  const path = procPath(dirFd, node.name);
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path, { bigint: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw new Error(`cannot look at ${showName(node.name)} in the target (${(error as Error).message})`);
  }
  switch (node.type) {
    case 'symlink':
      return stat.isSymbolicLink() && node.linkTarget?.equals(readlinkSync(path, { encoding: 'buffer' }))
        ? 'identical'
        : 'different';
    case 'fifo':
      return stat.isFIFO() ? 'identical' : 'different';
    case 'char':
    case 'block': {
      const sameType = node.type === 'char' ? stat.isCharacterDevice() : stat.isBlockDevice();
      return sameType && node.device !== undefined && deviceNumber(node.device) === stat.rdev
        ? 'identical'
        : 'different';
    }
    default:
      return 'different';
  }
}

/**
 * Compares the entry at `name` in `dirFd` with the hard link restore would make there: the
 * same inode as its first name `linkTo` (relative to TARGET, `targetFd`) is identical.
 */
export function existingLink(dirFd: number, name: Buffer, targetFd: number, linkTo: Buffer): ExistingEntry {
  let here: ReturnType<typeof lstatSync>;
  try {
    here = lstatSync(procPath(dirFd, name), { bigint: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw new Error(`cannot look at ${showName(name)} in the target (${(error as Error).message})`);
  }
  try {
    const source = lstatSync(procPath(targetFd, linkTo), { bigint: true });
    return source.ino === here.ino && source.dev === here.dev && here.isFile() ? 'identical' : 'different';
  } catch {
    return 'different';
  }
}

/** Linux's dev_t of a major and minor number (the kernel's new encoding, as makedev(3)). */
function deviceNumber({ major, minor }: { major: number; minor: number }): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
}

function readExactly(fd: number, offset: number, length: number): Buffer | undefined {
  const bytes = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, bytes, done, length - done, offset + done);
    if (n === 0) return undefined;
    done += n;
  }
  return bytes;
}

/** Whether bytes [from, to) of `fd` are all zero (a hole, or zeros written). */
function zeroes(fd: number, from: number, to: number): boolean {
  for (let at = from; at < to; at += GAP_PIECE) {
    const bytes = readExactly(fd, at, Math.min(GAP_PIECE, to - at));
    if (bytes === undefined) return false;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  }
  return true;
}
