/**
 * Durable writes: data is fsynced before it gets its final name, and the directory holding
 * the name is fsynced after the rename, so after a crash a name either does not exist or
 * names complete contents. Every file of a repository is written through these.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

/** fsync a directory, so the renames and unlinks inside it survive a power loss. */
export const fsyncDirectory = fsyncPath;

/** Writes `data` to `tempPath`, fsyncs it, renames it to `finalPath`, fsyncs the directory. */
export function writeFileDurably(tempPath: string, finalPath: string, data: Uint8Array | string): void {
  const fd = openSync(tempPath, 'w', 0o644);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tempPath, finalPath);
  fsyncDirectory(finalPath.slice(0, finalPath.lastIndexOf('/')) || '/');
}

/**
 * Makes the packs at `paths` durable, contents and names, before an index lists them: one
 * syncfs of the repository's file system where it can, else an fsync of each pack, its
 * folder and data/. Backup, resume and copy commit this way.
 */
export function makePacksDurable(root: string, paths: readonly string[]): void {
  flushFileSystem(root, () => {
    for (const path of paths) fsyncPath(path);
    for (const folder of new Set(paths.map((p) => dirname(p)))) fsyncDirectory(folder);
    fsyncDirectory(join(root, 'data'));
  });
}
