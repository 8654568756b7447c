/**
 * The slots lstatAt fills, in order: native/meta.c's enum lstat_slot, meta-calls-js.ts's fill,
 * and metadata.ts's reading of them all follow this one list.
 */
export const LSTAT_FIELDS = [
  'mode',
  'uid',
  'gid',
  'size',
  'atimeNs',
  'mtimeNs',
  'rdev',
  'dev',
  'ino',
  'nlink',
  'ctimeNs',
] as const;
