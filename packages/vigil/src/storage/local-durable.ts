/**
 * Durability on a local disk: data is fsynced before it gets its final name, and the folder
 * holding the name after the rename, so after a crash a name either does not exist or names
 * complete contents. Only LocalStorage uses these.
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { syncFileSystem } from '../fs/sync.js';

/**
 * Flushes everything written on the file system holding `path` at once, file data and
 * directory entries alike (syncfs(2)). Where that cannot be done (the native addon is not
 * built), `fallback` does the same work with one fsync per file or directory.
 */
export function flushFileSystem(path: string, fallback: () => void): void {
  if (!syncFileSystem(path)) fallback();
}

/**
 * fsync a file, or a directory (so the renames and unlinks inside it survive a power loss):
 * both are opened read-only and flushed the same way.
 */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
