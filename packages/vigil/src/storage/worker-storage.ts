/**
 * The storage a worker thread uses: opened once per repository location and kept for the
 * thread's life, so a remote repository's connection is made once per worker, not per batch.
 */
import { openStorage } from './open-storage.js';
import type { Storage } from './storage.js';

const opened = new Map<string, Promise<Storage>>();

/** This thread's storage of the repository at `location` (RepositorySecrets.root). */
export function workerStorage(location: string): Promise<Storage> {
  let storage = opened.get(location);
  if (storage === undefined) {
    storage = openStorage(location);
    opened.set(location, storage);
    // A failed open is not kept: the next batch tries again and reports its own error.
    storage.catch(() => opened.delete(location));
  }
  return storage;
}
