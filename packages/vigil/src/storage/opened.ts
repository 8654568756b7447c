/**
 * The remote storages this thread opened and has not closed: a command ends by closing them
 * (program.ts), as their connections would keep the process alive. Local storage holds
 * nothing open and is not listed.
 */
import type { Storage } from './storage.js';

const opened = new Set<Storage>();

/** Lists `storage` until it is closed; returns it. */
export function noteOpened<T extends Storage>(storage: T): T {
  opened.add(storage);
  const close = storage.close.bind(storage);
  storage.close = async () => {
    opened.delete(storage);
    await close();
  };
  return storage;
}

/** Closes every storage still open (a failed close is no concern at the end of a command). */
export async function closeOpenedStorage(): Promise<void> {
  for (const storage of [...opened]) await storage.close().catch(() => {});
}
