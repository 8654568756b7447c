/**
 * The calls of metadata capture and restore, typed: native/meta.c's where vigil's native
 * addon is built, else their node:fs counterparts (meta-calls-js.ts), which do less: no
 * extended attributes, no FIFOs or device nodes, times to the microsecond. node:fs has no
 * *at calls (it can act relative to a directory only through /proc/self/fd paths), no mknod,
 * no xattrs, no getpwuid, and its utimes/futimes/lutimes round to the microsecond (measured
 * on Node 20.20: 1733231133.123456789 s set through them reads back 789 ns short; a Date
 * keeps milliseconds). `checked` turns each -errno result into a MetaCallError.
 */
import { nativeAddon } from '../fs/native-addon.js';
import { jsMetaAddon } from './meta-calls-js.js';
import { MetaCallError } from './meta-errors.js';

/** native/meta.c, function for function: each returns its result or -errno. */
export interface MetaAddon {
  userName(uid: number): string | null;
  groupName(gid: number): string | null;
  userId(name: string): number | null;
  groupId(name: string): number | null;
  /** fstatat(AT_SYMLINK_NOFOLLOW) into `out` (slots: see LSTAT in metadata.ts). */
  lstatAt(dir: number, name: Uint8Array, out: BigInt64Array): number;
  openAt(dir: number, name: Uint8Array, flags: number, mode: number): number;
  /**
   * close(2) of a descriptor openAt gave. Not node:fs's closeSync: in a worker thread Node
   * warns about closing a descriptor node:fs did not open there.
   */
  closeDescriptor(fd: number): number;
  mkdirAt(dir: number, name: Uint8Array, mode: number): number;
  symlinkAt(target: Uint8Array, dir: number, name: Uint8Array): number;
  mknodAt(dir: number, name: Uint8Array, mode: number, major: number, minor: number): number;
  linkAt(fromDir: number, fromName: Uint8Array, dir: number, name: Uint8Array): number;
  renameAt(fromDir: number, fromName: Uint8Array, dir: number, name: Uint8Array): number;
  unlinkAt(dir: number, name: Uint8Array, flags: number): number;
  chownAt(dir: number, name: Uint8Array, uid: number, gid: number): number;
  chmodAt(dir: number, name: Uint8Array, mode: number): number;
  utimesAt(dir: number, name: Uint8Array, atimeNs: bigint, mtimeNs: bigint): number;
  /** futimens on a descriptor (restore's files: no path lookup). */
  utimesFd(fd: number, atimeNs: bigint, mtimeNs: bigint): number;
  xattrsAt(dir: number, name: Uint8Array): Buffer | number;
  setXattrAt(dir: number, name: Uint8Array, attribute: Uint8Array, value: Uint8Array): number;
}

/** The addon's metadata calls, or undefined when it is not built (or turned off). */
export function metaAddonOrUndefined(): MetaAddon | undefined {
  const addon = nativeAddon() as unknown as Partial<MetaAddon> | undefined;
  return addon?.openAt === undefined ? undefined : (addon as MetaAddon);
}

/** The calls capture and restore use: the addon's, or node:fs's where it is missing or turned off. */
export function metaAddon(): MetaAddon {
  return metaAddonOrUndefined() ?? jsMetaAddon;
}

/** Whether `calls` are the native addon's (the notices of what the others cannot do say so). */
export function isNativeMetaAddon(calls: MetaAddon): boolean {
  return calls === metaAddonOrUndefined();
}

/** `result` unless it is -errno, then a MetaCallError naming the call and the entry. */
export function checked(result: number, syscall: string, name: Uint8Array): number {
  if (result < 0) throw new MetaCallError(syscall, name, -result);
  return result;
}
