/**
 * The remote storages this thread opened and has not closed: a command ends by closing them
 * (program.ts), as their connections would keep the process alive. Local storage holds
 * nothing open and is not listed. The command layer asks to be told when one opens
 * (`whenRemoteOpened`): from then on Ctrl-C must remove the local staging folder, which the
 * storage's close would have removed.
 */
import type { Storage } from './storage.js';

const opened = new Set<Storage>();
let listener: (() => void) | undefined;

/** `onOpen` is called each time this thread opens a remote storage (the main thread's program.ts sets it). */
export function whenRemoteOpened(onOpen: () => void): void {
  listener = onOpen;
}

/** Lists `storage` until it is closed; returns it. */
export function noteOpened<T extends Storage>(storage: T): T {
  opened.add(storage);
  listener?.();
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
