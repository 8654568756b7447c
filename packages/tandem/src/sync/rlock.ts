/**
 * RLock: a re-entrant lock, as Python's RLock: the thread holding it may acquire it again,
 * and must release it as many times.
 *
 * Protocol: RLOCK_WORD is a futex mutex (sync/mutex.ts); RLOCK_OWNER and RLOCK_COUNT are
 * written only by the holder of the mutex. A caller may read OWNER without the mutex to ask
 * "is it me?": only it could have stored its own id there, and only it clears it (to 0,
 * before unlocking), so the answer cannot be wrong. The owner is the thread (threadId + 1),
 * so async callers on one thread share it, as Python's RLock is per thread; a child
 * process's calls run in the parent under that worker's own negative id.
 */
import { InvalidStateError } from '../errors.js';
import { newCells, RLOCK_COUNT, RLOCK_OWNER, RLOCK_SLOTS, RLOCK_WORD } from '../shared/layout.js';
import * as shareable from '../shared/shareable.js';
import {
  ACQUIRE_STEPS,
  type AcquireOptions,
  acquiredForCaller,
  holding,
  type LockLike,
  OWNED_BY,
  RELEASE_ALL,
  RELEASE_ONE,
} from './lock-like.js';
import { lockMutexSteps, MUTEX_UNLOCKED, unlockMutex } from './mutex.js';
import { registerCellsKind, SharedCells } from './shared-cells.js';
import {
  assertMayBlock,
  brokeredSyncError,
  deadlineOf,
  revivedOwner,
  runAsync,
  runSync,
  type Steps,
  THREAD_OWNER,
} from './waits.js';

/**
 * A lock its holder may take again; each acquire needs its release.
 *
 * @example
 * ```ts
 * const lock = new RLock();
 * await lock.withLock(() => lock.withLock(() => 'nested is fine'));
 * ```
 */
export class RLock extends SharedCells implements LockLike {
  /** @internal Who "this thread" is: THREAD_OWNER, or an inline worker's own id (see revivedOwner). */
  owner!: number;

  constructor() {
    super();
    this.cells = newCells(RLOCK_SLOTS);
    this.owner = THREAD_OWNER;
  }

  /** @internal */
  get [shareable.SHARED_KIND](): string {
    return 'RLock';
  }

  /** Takes the lock (again, if this thread holds it); resolves false if `timeout` ms pass first. */
  acquire(options?: AcquireOptions): Promise<boolean> {
    // Written out rather than through startTimedWait (waits.ts): the extra call costs the
    // uncontended acquire about 3% here, and this is the lock every Value takes by default.
    const remote = this[shareable.REMOTE];
    if (remote) return remote.call('acquire', [options?.timeout]) as Promise<boolean>;
    try {
      return runAsync(this[ACQUIRE_STEPS](this.owner, deadlineOf(options?.timeout), 1));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** acquire() that blocks this worker thread. Worker threads only. */
  acquireSync(options?: AcquireOptions): boolean {
    if (this[shareable.REMOTE]) throw brokeredSyncError('RLock.acquireSync()', '`await lock.acquire()`');
    if (Atomics.load(this.cells, RLOCK_OWNER) !== this.owner) {
      assertMayBlock('RLock.acquireSync()', '`await lock.acquire()`');
    }
    return runSync(this[ACQUIRE_STEPS](this.owner, deadlineOf(options?.timeout), 1));
  }

  /** Releases one level; the lock is free when every acquire has been released. */
  release(): void {
    if (shareable.sentToParent(this, 'release')) return;
    this.releaseFor(this.owner);
  }

  /**
   * Whether any thread (or process) holds the lock now, as Python 3.14's `RLock.locked()`.
   * Not in a child process (there, try `acquire({ timeout: 0 })`).
   */
  locked(): boolean {
    if (this[shareable.REMOTE]) throw brokeredSyncError('RLock.locked()', '`await lock.acquire({ timeout: 0 })`');
    return Atomics.load(this.cells, RLOCK_WORD) !== MUTEX_UNLOCKED;
  }

  /** Runs `fn` holding the lock, and releases it however `fn` ends. */
  withLock<T>(fn: () => T | Promise<T>): Promise<T> {
    return holding(this, fn);
  }

  /** @internal */
  [RELEASE_ONE](owner: number): void {
    this.releaseFor(owner);
  }

  private releaseFor(owner: number): void {
    if (Atomics.load(this.cells, RLOCK_OWNER) !== owner) {
      throw new InvalidStateError('release() of an RLock that this thread does not hold');
    }
    const depth = Atomics.load(this.cells, RLOCK_COUNT) - 1;
    Atomics.store(this.cells, RLOCK_COUNT, depth);
    if (depth === 0) {
      Atomics.store(this.cells, RLOCK_OWNER, 0);
      unlockMutex(this.cells, RLOCK_WORD);
    }
  }

  /** @internal */
  [OWNED_BY](owner: number): boolean {
    return Atomics.load(this.cells, RLOCK_OWNER) === owner;
  }

  /** @internal */
  [RELEASE_ALL](owner: number): number {
    const depth = Atomics.load(this.cells, RLOCK_COUNT);
    if (Atomics.load(this.cells, RLOCK_OWNER) !== owner || depth === 0) {
      throw new InvalidStateError('the RLock is not held by this thread');
    }
    Atomics.store(this.cells, RLOCK_COUNT, 0);
    Atomics.store(this.cells, RLOCK_OWNER, 0);
    unlockMutex(this.cells, RLOCK_WORD);
    return depth;
  }

  /** @internal */
  *[ACQUIRE_STEPS](owner: number, deadline: number, depth: number): Steps<boolean> {
    const cells = this.cells;
    if (Atomics.load(cells, RLOCK_OWNER) === owner) {
      Atomics.store(cells, RLOCK_COUNT, Atomics.load(cells, RLOCK_COUNT) + depth);
      return true;
    }
    if (!(yield* lockMutexSteps(cells, RLOCK_WORD, deadline))) return false;
    Atomics.store(cells, RLOCK_OWNER, owner);
    Atomics.store(cells, RLOCK_COUNT, depth);
    return true;
  }

  /** @internal */
  [shareable.INVOKE](method: string, args: readonly unknown[], caller: shareable.BrokerCaller): unknown {
    switch (method) {
      case 'acquire':
        return acquiredForCaller(
          runAsync(this[ACQUIRE_STEPS](caller.owner, deadlineOf(args[0] as number | undefined), 1)),
          caller,
          () => this[RELEASE_ALL](caller.owner),
        );
      case 'release':
        return this.releaseFor(caller.owner);
      default:
        throw shareable.unknownMember('RLock', method);
    }
  }

  /** @internal A revived RLock takes the owner id of the thread (or inline worker) it is revived in. */
  override attachTo(cells: Int32Array | undefined, remote: shareable.RemoteRef | undefined): this {
    this.owner = revivedOwner();
    return super.attachTo(cells, remote);
  }
}

registerCellsKind('RLock', RLock.prototype);
