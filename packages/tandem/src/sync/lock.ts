/**
 * Lock: a mutual-exclusion lock shared by threads and processes, as Python's Lock. Any
 * thread may release it (it has no owner). The word is a futex mutex (sync/mutex.ts).
 */
import { InvalidStateError } from '../errors.js';
import { LOCK_SLOTS, LOCK_WORD, newCells } from '../shared/layout.js';
import * as shareable from '../shared/shareable.js';
import {
  ACQUIRE_STEPS,
  type AcquireOptions,
  acquireForCaller,
  holding,
  type LockLike,
  OWNED_BY,
  RELEASE_ALL,
  RELEASE_ONE,
} from './lock-like.js';
import { lockMutexSteps, MUTEX_UNLOCKED, tryLockMutex, unlockMutex } from './mutex.js';
import { registerCellsKind, SharedCells } from './shared-cells.js';
import {
  assertMayBlock,
  brokeredSyncError,
  deadlineOf,
  runAsync,
  runSync,
  type Steps,
  startTimedWait,
} from './waits.js';

/**
 * A lock that threads, processes and the main thread can share.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * await lock.withLock(async () => counter.value++);
 * ```
 */
export class Lock extends SharedCells implements LockLike {
  constructor() {
    super();
    this.cells = newCells(LOCK_SLOTS);
  }

  /** @internal */
  get [shareable.SHARED_KIND](): string {
    return 'Lock';
  }

  /** Takes the lock; resolves true, or false if `timeout` ms pass first. The main thread never blocks. */
  acquire(options?: AcquireOptions): Promise<boolean> {
    return startTimedWait(this[shareable.REMOTE], 'acquire', options?.timeout, this.cells, acquireLockAsync);
  }

  /** acquire() that blocks this worker thread. Worker threads only. */
  acquireSync(options?: AcquireOptions): boolean {
    if (this[shareable.REMOTE]) throw brokeredSyncError('Lock.acquireSync()', '`await lock.acquire()`');
    const deadline = deadlineOf(options?.timeout);
    if (tryLockMutex(this.cells, LOCK_WORD)) return true;
    assertMayBlock('Lock.acquireSync()', '`await lock.acquire()`');
    return runSync(lockMutexSteps(this.cells, LOCK_WORD, deadline));
  }

  /** Releases the lock (any thread may). Throws InvalidStateError if it is not held. */
  release(): void {
    if (shareable.sentToParent(this, 'release')) return;
    if (Atomics.load(this.cells, LOCK_WORD) === MUTEX_UNLOCKED) {
      throw new InvalidStateError('release() of a Lock that is not held');
    }
    unlockMutex(this.cells, LOCK_WORD);
  }

  /** Whether anyone holds the lock. Not in a child process (there, try `acquire({ timeout: 0 })`). */
  locked(): boolean {
    if (this[shareable.REMOTE]) throw brokeredSyncError('Lock.locked()', '`await lock.acquire({ timeout: 0 })`');
    return Atomics.load(this.cells, LOCK_WORD) !== MUTEX_UNLOCKED;
  }

  /** Runs `fn` holding the lock, and releases it however `fn` ends. */
  withLock<T>(fn: () => T | Promise<T>): Promise<T> {
    return holding(this, fn);
  }

  /** @internal */
  [OWNED_BY](_owner: number): boolean {
    return Atomics.load(this.cells, LOCK_WORD) !== MUTEX_UNLOCKED;
  }

  /** @internal */
  [RELEASE_ONE](_owner: number): void {
    this.release();
  }

  /** @internal */
  [RELEASE_ALL](_owner: number): number {
    unlockMutex(this.cells, LOCK_WORD);
    return 1;
  }

  /** @internal */
  [ACQUIRE_STEPS](_owner: number, deadline: number, _depth: number): Steps<boolean> {
    return lockMutexSteps(this.cells, LOCK_WORD, deadline);
  }

  /** @internal */
  [shareable.INVOKE](method: string, args: readonly unknown[], caller: shareable.BrokerCaller): unknown {
    switch (method) {
      case 'acquire':
        return acquireForCaller(this, args[0], caller);
      case 'release':
        return this.release();
      default:
        throw shareable.unknownMember('Lock', method);
    }
  }
}

/** Takes the lock on `cells` without blocking: at once when it is free, else by runAsync. */
function acquireLockAsync(cells: Int32Array, deadline: number): Promise<boolean> {
  if (tryLockMutex(cells, LOCK_WORD)) return Promise.resolve(true);
  return runAsync(lockMutexSteps(cells, LOCK_WORD, deadline));
}

registerCellsKind('Lock', Lock.prototype);
