/**
 * A mutex in one Int32 cell (Drepper, "Futexes Are Tricky", mutex #3):
 *   MUTEX_UNLOCKED: free; MUTEX_LOCKED: held, nobody sleeps on it;
 *   MUTEX_CONTENDED: held, and someone may sleep on it.
 *
 * Lock and RLock use it as their own word, and the queue and the barrier guard their state
 * with one (held only while a few cells and bytes are copied, never across a wait).
 *
 * Why it is race-free: a locker sleeps only while the cell is MUTEX_CONTENDED (the futex
 * compares and queues atomically), and an unlocker that finds the cell was CONTENDED stores
 * UNLOCKED and then notifies. So a sleeper either saw the cell change and did not sleep,
 * or was queued before the notify and is woken. A locker that wakes always re-marks the cell
 * CONTENDED, because other sleepers may remain; at worst that costs one needless notify.
 */
import { remainingMs, type Steps } from './waits.js';

export const MUTEX_UNLOCKED = 0;
export const MUTEX_LOCKED = 1;
export const MUTEX_CONTENDED = 2;

/** Takes the mutex if it is free, without waiting. */
export function tryLockMutex(cells: Int32Array, index: number): boolean {
  return Atomics.compareExchange(cells, index, MUTEX_UNLOCKED, MUTEX_LOCKED) === MUTEX_UNLOCKED;
}

/** Takes the mutex, waiting until `deadline` (performance.now() time); false if it ran out. */
export function* lockMutexSteps(cells: Int32Array, index: number, deadline: number): Steps<boolean> {
  let seen = Atomics.compareExchange(cells, index, MUTEX_UNLOCKED, MUTEX_LOCKED);
  if (seen === MUTEX_UNLOCKED) return true;
  if (seen !== MUTEX_CONTENDED) seen = Atomics.exchange(cells, index, MUTEX_CONTENDED);
  while (seen !== MUTEX_UNLOCKED) {
    const timeoutMs = remainingMs(deadline);
    if (timeoutMs === 0) return false;
    yield { cells, index, expected: MUTEX_CONTENDED, timeoutMs };
    seen = Atomics.exchange(cells, index, MUTEX_CONTENDED);
  }
  return true;
}

/** Releases the mutex, waking one sleeper if there may be any. */
export function unlockMutex(cells: Int32Array, index: number): void {
  if (Atomics.sub(cells, index, 1) !== MUTEX_LOCKED) {
    Atomics.store(cells, index, MUTEX_UNLOCKED);
    Atomics.notify(cells, index, 1);
  }
}

/**
 * Takes an internal mutex synchronously, on any thread, the main one included. Internal
 * mutexes guard only a few loads, stores and a byte copy, never a wait or user code, so
 * the wait is bounded like a cache miss; this is what lets `queue.putNowait()` or
 * `barrier.abort()` stay synchronous on the main thread. (A worker terminated inside such
 * a section would leave it held, as a process killed inside a Python queue's lock does.)
 */
export function lockInternal(cells: Int32Array, index: number): void {
  if (tryLockMutex(cells, index)) return;
  let seen = Atomics.exchange(cells, index, MUTEX_CONTENDED);
  while (seen !== MUTEX_UNLOCKED) {
    Atomics.wait(cells, index, MUTEX_CONTENDED);
    seen = Atomics.exchange(cells, index, MUTEX_CONTENDED);
  }
}
