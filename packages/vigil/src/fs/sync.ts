/**
 * Flushing a whole file system at once (syncfs(2), through the native addon): one flush for
 * a whole backup's objects, or for all their renames, instead of an fsync each.
 */
import { nativeAddon } from './native-addon.js';

/** Flushes the file system holding `path`; false if it could not (no addon, or syncfs failed): fsync each file then. */
export function syncFileSystem(path: string): boolean {
  const addon = nativeAddon();
  return addon !== undefined && addon.syncFileSystem(path) === 0;
}
