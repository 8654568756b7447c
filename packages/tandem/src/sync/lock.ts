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
  holding,
  type LockLike,
  OWNED_BY,
  RELEASE_ALL,
  RELEASE_ONE,
} from './lock-like.js';
import { lockMutexSteps, MUTEX_UNLOCKED, tryLockMutex, unlockMutex } from './mutex.js';
import { assertMayBlock, brokeredSyncError, deadlineOf, runAsync, runSync, type Steps } from './waits.js';

/**
 * A lock that threads, processes and the main thread can share.
 *
 * @example
 * ```ts
 * const lock = new Lock();
 * await lock.withLock(async () => counter.value++);
 * ```
 */
export class Lock extends shareable.Shareable implements LockLike {
  private cells!: Int32Array;

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
    const remote = this[shareable.REMOTE];
    if (remote) return remote.call('acquire', [options?.timeout]) as Promise<boolean>;
    try {
      // The deadline first, so a bad timeout is refused even when the lock is free.
      const deadline = deadlineOf(options?.timeout);
      if (tryLockMutex(this.cells, LOCK_WORD)) return Promise.resolve(true);
      return runAsync(lockMutexSteps(this.cells, LOCK_WORD, deadline));
    } catch (error) {
      return Promise.reject(error);
    }
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
    const remote = this[shareable.REMOTE];
    if (remote) {
      remote.send('release', []);
      return;
    }
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
  [shareable.MEMORY_STATE](): unknown {
    return this.cells;
  }

  /** @internal */
  [shareable.INVOKE](method: string, args: readonly unknown[], caller: shareable.BrokerCaller): unknown {
    switch (method) {
      case 'acquire':
        return this.acquire({ timeout: args[0] as number | undefined }).then((ok) => {
          // The child died while it waited: give the lock back rather than hold it forever.
          if (ok && caller.gone) this.release();
          return ok;
        });
      case 'release':
        return this.release();
      default:
        throw shareable.unknownMember('Lock', method);
    }
  }

  /** @internal */
  static attach(cells: Int32Array | undefined, remote: shareable.RemoteRef | undefined): Lock {
    const lock = Object.create(Lock.prototype) as Lock;
    if (cells) lock.cells = cells;
    lock[shareable.REMOTE] = remote;
    return lock;
  }
}

shareable.registerKind('Lock', (d, remote) => Lock.attach(shareable.memoryState<Int32Array>(d), remote));
