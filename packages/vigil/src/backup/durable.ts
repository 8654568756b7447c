/**
 * Durable writes: data is fsynced before it gets its final name, and the directory holding
 * the name is fsynced after the rename, so after a crash a name either does not exist or
 * names complete contents. Every file of a repository is written through these.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';

/**
 * Flushes every written file of the file system holding `path` at once (syncfs(2), through
 * coreutils' `sync -f`): one flush for a whole backup's objects instead of an fsync each.
 * Falls back to fsyncing `files` one by one where `sync -f` is not available.
 */
export function flushFileSystem(path: string, files: Iterable<string>): void {
  const flushed = spawnSync('sync', ['-f', path], { stdio: 'ignore' });
  if (flushed.status === 0) return;
  for (const file of files) {
    const fd = openSync(file, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** fsync a directory, so the renames and unlinks inside it survive a power loss. */
export function fsyncDirectory(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

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
