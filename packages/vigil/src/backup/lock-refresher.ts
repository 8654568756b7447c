/**
 * Runs in a worker thread beside a command that holds a repository lock: rewrites the lock's
 * time every `refreshMs`. A thread, not a timer of the main thread, because the main thread
 * may run synchronously for a long stretch (verify reads a whole repository in one loop), and
 * a lock not refreshed for 30 minutes is stale to every other run.
 *
 * The state slot (lock.ts's RefreshState) keeps a refresh from racing the release: a refresh
 * moves it IDLE -> WRITING, writes, and moves it back; release waits while it is WRITING and
 * moves it IDLE -> RELEASED before removing the file, so no rename can bring a released lock
 * back. Once it reads RELEASED, this thread stops.
 */
import { workerData } from 'node:worker_threads';
import { workerStorage } from '../storage/worker-storage.js';
import { type LockHolder, refreshLock } from './lock-file.js';
import { RefreshState } from './lock-state.js';

interface RefresherData {
  /** The repository's location: this thread opens its own storage (a remote one's connection). */
  readonly location: string;
  /** The lock file's name in it. */
  readonly name: string;
  readonly holder: LockHolder;
  readonly refreshMs: number;
  readonly state: SharedArrayBuffer;
}

const { location, name, holder, refreshMs, state: buffer } = workerData as RefresherData;
const state = new Int32Array(buffer);

const timer = setInterval(async () => {
  if (
    Atomics.compareExchange(state, RefreshState.slot, RefreshState.idle, RefreshState.writing) !== RefreshState.idle
  ) {
    clearInterval(timer);
    return;
  }
  try {
    await refreshLock(await workerStorage(location), name, holder);
  } catch {
    // The storage could not be opened: the lock ages, as for a failed write.
  } finally {
    Atomics.store(state, RefreshState.slot, RefreshState.idle);
    Atomics.notify(state, RefreshState.slot);
  }
}, refreshMs);
