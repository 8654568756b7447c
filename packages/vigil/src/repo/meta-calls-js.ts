/**
 * The metadata calls of native/meta.c made of node:fs, for an install without the native
 * addon (no C compiler, or VIGIL_NATIVE=0): capture and restore then work with what node:fs
 * can do. Each call acts on `/proc/self/fd/<dir>/<name>` (fs/proc-fd.ts): the kernel starts the
 * lookup at the directory the descriptor holds, and every call here that can refuse to follow
 * a symlink at `name` does (lstat, lchown, lutimes, readlink, rename, link, O_NOFOLLOW opens).
 * Like the C calls, each returns its result or -errno, and throws a TypeError for a name that
 * is not one path component, so no call reaches outside `dir`.
 *
 * What node:fs cannot do, and so these calls do not:
 * - extended attributes (and so POSIX ACLs): `xattrsAt` gives an empty record, `setXattrAt`
 *   -EOPNOTSUPP, which restore reports as an 'xattr-not-restored' notice;
 * - mknod: a FIFO or a device node is -EOPNOTSUPP, a 'special-not-restored' notice;
 * - nanoseconds: `utimesAt` sets times to the microsecond (see `utimeArgument`);
 * - NSS: user and group names come from /etc/passwd and /etc/group only (local-accounts.ts).
 */
import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  renameSync,
  rmdirSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs';
import { constants as os } from 'node:os';
import { O_PATH, procPath } from '../fs/proc-fd.js';
import { readAccounts } from './local-accounts.js';
import { LSTAT_FIELDS } from './lstat-slots.js';
import type { MetaAddon } from './meta-calls.js';
import { isSafeName } from './meta-names.js';

const { EOPNOTSUPP, ELOOP } = os.errno;
/** unlinkat's flag to remove a directory (linux/fcntl.h). */
const AT_REMOVEDIR = 0x200;
const NO_XATTRS = Buffer.alloc(0);

/** `/proc/self/fd/<dir>/<name>`; a TypeError, as in native/meta.c, unless `name` is one component. */
function at(dir: number, name: Uint8Array): Buffer {
  if (!Number.isInteger(dir) || dir < 0 || !(name instanceof Uint8Array) || !isSafeName(name)) {
    throw new TypeError('a metadata call takes a directory descriptor and a name of one path component (bytes)');
  }
  return procPath(dir, name);
}

/** `call()`'s number (a descriptor; 0 for anything else), or -errno if it threw a system error; other errors are rethrown. */
function errnoOf(call: () => unknown): number {
  try {
    const result = call();
    return typeof result === 'number' ? result : 0;
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).errno;
    if (typeof errno !== 'number') throw error;
    // Node's errno is libuv's code, already negative on Linux (-2 for ENOENT); the sign is forced all the same.
    return -Math.abs(errno);
  }
}

/**
 * Whether this Node's libuv sets the nanoseconds it is given. Up to libuv 1.51 (Node 20 and
 * 22) it cuts a time toward zero to the microsecond; 1.52 (Node 24) keeps what the double
 * holds (measured: 1733231133.1234565 sets ...123456000 ns on Node 20 and 22, ...123456478 on 24).
 */
const LIBUV_KEEPS_NANOSECONDS = (() => {
  const [major = 0, minor = 0] = (process.versions.uv ?? '0.0').split('.').map(Number);
  return major > 1 || (major === 1 && minor >= 52);
})();

/**
 * The time lutimes is given for `ns`: the microsecond `ns` falls in, plus half a microsecond,
 * so that a double's rounding (a quarter of a microsecond for today's times) cannot move it
 * into the next or previous one. Where libuv cuts toward zero (see above), a time before 1970
 * gets half a microsecond less instead, so the cut lands on its microsecond too. The time set
 * is `ns` cut down to its microsecond (within it, on Node 24). Node replaces a negative number
 * with "now" but takes a numeric string as it is, hence a string before 1970.
 */
function utimeArgument(ns: bigint): number | string {
  const us = ns / 1000n - (ns % 1000n < 0n ? 1n : 0n); // floor: the microsecond `ns` falls in
  const half = us < 0n && !LIBUV_KEEPS_NANOSECONDS ? -0.5 : 0.5;
  const seconds = (Number(us) + half) / 1e6;
  return seconds < 0 ? String(seconds) : seconds;
}

/** The slots of lstatAt (metadata.ts, LSTAT; native/meta.c, enum lstat_slot), in order. */
function fillLstat(path: Buffer, out: BigInt64Array): void {
  const stat = lstatSync(path, { bigint: true });
  // BigInt64Array wraps a value above 2^63 (an inode number) as the C cast does; metadata.ts reads it back unsigned.
  out.set(LSTAT_FIELDS.map((field) => BigInt.asIntN(64, stat[field])));
}

/**
 * chmod of what `name` is, never through a symlink: chmod follows one at the last component
 * and node has no lchmod on Linux, so (as native/meta.c does) the entry itself is opened
 * O_PATH|O_NOFOLLOW, checked not to be a symlink, and chmod is given that descriptor's
 * /proc path, which names the inode it holds.
 */
function chmodEntry(path: Buffer, mode: number): number {
  const fd = errnoOf(() => openSync(path, O_PATH | constants.O_NOFOLLOW));
  if (fd < 0) return fd;
  try {
    return errnoOf(() => {
      if (fstatSync(fd).isSymbolicLink()) return -ELOOP;
      chmodSync(procPath(fd), mode);
    });
  } finally {
    closeSync(fd);
  }
}

/** native/meta.c's calls, as far as node:fs can do them (see the comment at the top). */
export const jsMetaAddon: MetaAddon = {
  userName: (uid) => readAccounts('/etc/passwd').byId.get(uid) ?? null,
  groupName: (gid) => readAccounts('/etc/group').byId.get(gid) ?? null,
  userId: (name) => readAccounts('/etc/passwd').byName.get(name) ?? null,
  groupId: (name) => readAccounts('/etc/group').byName.get(name) ?? null,
  lstatAt: (dir, name, out) => {
    const path = at(dir, name);
    if (out.length < 11) throw new TypeError('lstatAt needs a BigInt64Array of 11 slots');
    return errnoOf(() => fillLstat(path, out));
  },
  // Node opens with O_CLOEXEC, as the C call does, and passes the other flags through as they are.
  openAt: (dir, name, flags, mode) => errnoOf(() => openSync(at(dir, name), flags, mode)),
  closeDescriptor: (fd) => errnoOf(() => closeSync(fd)),
  mkdirAt: (dir, name, mode) =>
    errnoOf(() => {
      mkdirSync(at(dir, name), mode);
    }),
  symlinkAt: (target, dir, name) => {
    const path = at(dir, name);
    return errnoOf(() => symlinkSync(Buffer.from(target), path));
  },
  mknodAt: (dir, name) => {
    at(dir, name);
    return -EOPNOTSUPP;
  },
  // link(2) does not follow a symlink at `fromName` on Linux, as linkat without AT_SYMLINK_FOLLOW.
  linkAt: (fromDir, fromName, dir, name) => {
    const [from, to] = [at(fromDir, fromName), at(dir, name)];
    return errnoOf(() => linkSync(from, to));
  },
  renameAt: (fromDir, fromName, dir, name) => {
    const [from, to] = [at(fromDir, fromName), at(dir, name)];
    return errnoOf(() => renameSync(from, to));
  },
  unlinkAt: (dir, name, flags) => {
    const path = at(dir, name);
    return errnoOf(() => ((flags & AT_REMOVEDIR) !== 0 ? rmdirSync(path) : unlinkSync(path)));
  },
  chownAt: (dir, name, uid, gid) => {
    const path = at(dir, name);
    return errnoOf(() => lchownSync(path, uid, gid));
  },
  chmodAt: (dir, name, mode) => chmodEntry(at(dir, name), mode),
  utimesAt: (dir, name, atimeNs, mtimeNs) => {
    const path = at(dir, name);
    return errnoOf(() => lutimesSync(path, utimeArgument(atimeNs), utimeArgument(mtimeNs)));
  },
  utimesFd: (fd, atimeNs, mtimeNs) => errnoOf(() => futimesSync(fd, utimeArgument(atimeNs), utimeArgument(mtimeNs))),
  xattrsAt: (dir, name) => {
    at(dir, name);
    return NO_XATTRS;
  },
  setXattrAt: (dir, name) => {
    at(dir, name);
    return -EOPNOTSUPP;
  },
};
