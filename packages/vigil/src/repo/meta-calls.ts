/**
 * The native calls of metadata capture and restore (native/meta.c), typed, with each -errno
 * result turned into a MetaCallError. node:fs has none of them: no *at calls (it can act
 * relative to a directory only through /proc/self/fd paths), no mknod, no xattrs, no
 * getpwuid, and its utimes/futimes/lutimes round to the microsecond (measured on Node 20.20:
 * 1733231133.123456789 s set through them reads back 789 ns short; a Date keeps milliseconds).
 */
import { nativeAddon, nativeAddonProblem } from '../fs/native-addon.js';
import { MetaAddonMissingError, MetaCallError } from './meta-errors.js';

/** native/meta.c, function for function: each returns its result or -errno. */
export interface MetaAddon {
  userName(uid: number): string | null;
  groupName(gid: number): string | null;
  userId(name: string): number | null;
  groupId(name: string): number | null;
  /** fstatat(AT_SYMLINK_NOFOLLOW) into `out` (slots: see LSTAT in metadata.ts). */
  lstatAt(dir: number, name: Uint8Array, out: BigInt64Array): number;
  openAt(dir: number, name: Uint8Array, flags: number, mode: number): number;
  mkdirAt(dir: number, name: Uint8Array, mode: number): number;
  symlinkAt(target: Uint8Array, dir: number, name: Uint8Array): number;
  mknodAt(dir: number, name: Uint8Array, mode: number, major: number, minor: number): number;
  linkAt(fromDir: number, fromName: Uint8Array, dir: number, name: Uint8Array): number;
  renameAt(fromDir: number, fromName: Uint8Array, dir: number, name: Uint8Array): number;
  unlinkAt(dir: number, name: Uint8Array, flags: number): number;
  chownAt(dir: number, name: Uint8Array, uid: number, gid: number): number;
  chmodAt(dir: number, name: Uint8Array, mode: number): number;
  utimesAt(dir: number, name: Uint8Array, atimeNs: bigint, mtimeNs: bigint): number;
  xattrsAt(dir: number, name: Uint8Array): Buffer | number;
  setXattrAt(dir: number, name: Uint8Array, attribute: Uint8Array, value: Uint8Array): number;
}

/** The addon's metadata calls, or undefined when it is not built (or turned off). */
export function metaAddonOrUndefined(): MetaAddon | undefined {
  const addon = nativeAddon() as unknown as Partial<MetaAddon> | undefined;
  return addon?.openAt === undefined ? undefined : (addon as MetaAddon);
}

/** The addon's metadata calls; throws MetaAddonMissingError without them. */
export function metaAddon(): MetaAddon {
  const addon = metaAddonOrUndefined();
  if (addon === undefined) throw new MetaAddonMissingError(nativeAddonProblem() ?? 'built without native/meta.c');
  return addon;
}

/** `result` unless it is -errno, then a MetaCallError naming the call and the entry. */
export function checked(result: number, syscall: string, name: Uint8Array): number {
  if (result < 0) throw new MetaCallError(syscall, name, -result);
  return result;
}
