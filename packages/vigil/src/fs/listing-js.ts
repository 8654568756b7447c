/**
 * The JavaScript lister, for when the native addon is not loaded: the same listing as
 * native/list_dir.c (listing.ts) made with node:fs, which acts relative to a directory
 * descriptor only through /proc/self/fd (proc-fd.ts).
 */
import { constants, type Dirent, openSync, readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { EntryKind, type ListedEntry, packListing } from './listing.js';
import { procPath } from './proc-fd.js';

const LIST_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY;

/** The directory `name` in the directory `parentFd`, not through a symlink unless `follow`. */
export function openChildDirectoryJs(parentFd: number, name: Buffer, follow: boolean): number {
  return openDirectoryNoAtime(procPath(parentFd, name), LIST_FLAGS | (follow ? 0 : constants.O_NOFOLLOW));
}

/**
 * Opens a directory for listing without moving its atime (O_NOATIME, as native/list_dir.c):
 * a backup records directories' atimes, and one moved by the last listing makes a new tree.
 * O_NOATIME needs the owner or CAP_FOWNER: on EPERM the directory is opened as before.
 * (listDirectoryJs below still moves it: node:fs can only list a directory by opening it
 * again by path; only the addon's lister keeps atimes.)
 */
export function openDirectoryNoAtime(path: string | Buffer, flags: number): number {
  if (constants.O_NOATIME === undefined) return openSync(path, flags);
  try {
    return openSync(path, flags | constants.O_NOATIME);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    return openSync(path, flags);
  }
}

/** The listing of the directory `fd` (see listing.ts); under `follow`, symlinks are typed by their targets. */
export async function listDirectoryJs(fd: number, follow: boolean, prefix: Buffer): Promise<Buffer> {
  // Synchronous on purpose: the walk is a chain of one directory after another, and an
  // async readdir costs a thread-pool round trip per directory, which left workers idle
  // (/usr/share, 5k directories: 1.2 s -> see docs/benchmarks.md). A readdir takes tens of
  // microseconds here; the main thread has little else to do meanwhile.
  const dirents = readdirSync(procPath(fd), { withFileTypes: true, encoding: 'buffer' }) as unknown as Dirent<Buffer>[];
  const entries: { entry: ListedEntry; sortKey: Buffer }[] = [];
  const add = (entry: ListedEntry) => {
    const sortKey = entry.kind === EntryKind.dir ? Buffer.concat([entry.name, Buffer.from('/')]) : entry.name;
    entries.push({ entry, sortKey });
  };
  const pendingLinks: Promise<void>[] = [];
  for (const dirent of dirents) {
    const kind = kindOf(dirent);
    if (kind !== EntryKind.symlink || !follow) {
      add({ name: dirent.name, kind, viaLink: false });
      continue;
    }
    pendingLinks.push(
      stat(procPath(fd, dirent.name)).then(
        (target) => add({ name: dirent.name, kind: kindOfTarget(target), viaLink: true }),
        (error: NodeJS.ErrnoException) => {
          const known = error.code === 'ENOENT' || error.code === 'ELOOP';
          const kind = error.code === 'ELOOP' ? EntryKind.loop : EntryKind.dangling;
          add({ name: dirent.name, kind: known ? kind : EntryKind.error, viaLink: true, errorCode: error.code });
        },
      ),
    );
  }
  await Promise.all(pendingLinks);
  entries.sort((a, b) => Buffer.compare(a.sortKey, b.sortKey));
  return packListing(
    entries.map(({ entry }) => entry),
    prefix,
  );
}

function kindOf(dirent: Dirent<Buffer>): EntryKind {
  if (dirent.isFile()) return EntryKind.file;
  if (dirent.isDirectory()) return EntryKind.dir;
  if (dirent.isSymbolicLink()) return EntryKind.symlink;
  if (dirent.isFIFO()) return EntryKind.fifo;
  if (dirent.isSocket()) return EntryKind.socket;
  if (dirent.isBlockDevice() || dirent.isCharacterDevice()) return EntryKind.device;
  return EntryKind.other;
}

function kindOfTarget(target: Awaited<ReturnType<typeof stat>>): EntryKind {
  if (target.isDirectory()) return EntryKind.dir;
  if (target.isFile()) return EntryKind.file;
  if (target.isFIFO()) return EntryKind.fifo;
  if (target.isSocket()) return EntryKind.socket;
  if (target.isBlockDevice() || target.isCharacterDevice()) return EntryKind.device;
  return EntryKind.other;
}
