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

/**
 * Starts the disk writing what `fd` holds and returns at once (best effort: nothing when the
 * addon is not built). It makes nothing durable: a backup calls it as each pack is complete,
 * so that the one flush at the end of the run (syncFileSystem) finds the packs written already
 * instead of writing them all then.
 */
export function startWriteback(fd: number): void {
  nativeAddon()?.startWriteback(fd);
}
