/**
 * Condition: a condition variable over a Lock or RLock, as Python's threading.Condition.
 *
 * Protocol (CONDITION_SEQ): notify() runs with the lock held; it bumps SEQ, then wakes n
 * sleepers. wait() reads SEQ while it still holds the lock, releases the lock, and sleeps
 * while SEQ equals what it read. A notifier needs the lock to bump SEQ, so any notify after
 * our read comes after our release; if it lands before we sleep, the futex sees SEQ changed
 * and returns at once, otherwise it wakes us. One consequence: a waiter between releasing
 * and sleeping is woken by any notify, so notify(n) may wake a few more than n; use
 * waitFor(predicate), as with Python's, which re-checks.
 */
import { InvalidStateError } from '../errors.js';
import { CONDITION_SEQ, CONDITION_SLOTS, newCells } from '../shared/layout.js';
import { marshal } from '../shared/marshal.js';
import {
  type BrokerCaller,
  INVOKE,
  MEMORY_STATE,
  memoryState,
  REMOTE,
  type RemoteRef,
  registerKind,
  reviveNested,
  SHARED_KIND,
  Shareable,
  type SharedDescriptor,
  unknownMember,
} from '../shared/shareable.js';
import type { Lock } from './lock.js';
import { ACQUIRE_STEPS, type AcquireOptions, OWNED_BY, RELEASE_ALL, RELEASE_ONE } from './lock-like.js';
import { RLock } from './rlock.js';
import {
  assertMayBlock,
  brokeredSyncError,
  deadlineOf,
  remainingMs,
  runAsync,
  runSync,
  type Steps,
  THREAD_OWNER,
  type WaitResult,
} from './waits.js';

interface ConditionState {
  readonly cells: Int32Array;
  readonly lock: SharedDescriptor;
}

/**
 * Lets workers wait, holding a lock, until another tells them something changed.
 *
 * @example
 * ```ts
 * const ready = new Condition();
 * await ready.withLock(() => ready.waitFor(async () => (await items.get()) > 0));
 * // elsewhere: await ready.withLock(() => { ...; ready.notifyAll(); });
 * ```
 */
export class Condition extends Shareable {
  private cells!: Int32Array;
  private lock!: Lock | RLock;
  /** Who "this thread" is to the lock (see RLock.owner). */
  private owner!: number;

  /** @param lock - the lock to use (default: a new RLock, as in Python) */
  constructor(lock?: Lock | RLock) {
    super();
    this.cells = newCells(CONDITION_SLOTS);
    this.lock = lock ?? new RLock();
    this.owner = this.lock instanceof RLock ? this.lock.owner : THREAD_OWNER;
  }

  /** @internal */
  get [SHARED_KIND](): string {
    return 'Condition';
  }

  /** Takes the condition's lock. */
  acquire(options?: AcquireOptions): Promise<boolean> {
    const remote = this[REMOTE];
    if (remote) return remote.call('acquire', [options?.timeout]) as Promise<boolean>;
    return this.lock.acquire(options);
  }

  /** Releases the condition's lock. */
  release(): void {
    const remote = this[REMOTE];
    if (remote) {
      remote.send('release', []);
      return;
    }
    this.lock.release();
  }

  /** Runs `fn` holding the condition's lock. */
  async withLock<T>(fn: () => T | Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /**
   * With the lock held: releases it, waits for a notify (or `timeoutMs`), takes it back.
   * Resolves false if the time ran out.
   */
  wait(timeoutMs?: number): Promise<boolean> {
    const remote = this[REMOTE];
    if (remote) return remote.call('wait', [timeoutMs]) as Promise<boolean>;
    try {
      return runAsync(this.waitSteps(this.owner, deadlineOf(timeoutMs)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** wait() that blocks this worker thread. Worker threads only. */
  waitSync(timeoutMs?: number): boolean {
    if (this[REMOTE]) throw brokeredSyncError('Condition.waitSync()', '`await condition.wait()`');
    assertMayBlock('Condition.waitSync()', '`await condition.wait()`');
    return runSync(this.waitSteps(this.owner, deadlineOf(timeoutMs)));
  }

  /**
   * With the lock held: waits until `predicate()` is truthy (checking it first, and after
   * each wake-up), or until `timeoutMs` passes; resolves to the predicate's last value.
   */
  async waitFor<T>(predicate: () => T | Promise<T>, timeoutMs?: number): Promise<T> {
    const deadline = deadlineOf(timeoutMs);
    let result = await predicate();
    while (!result) {
      const left = remainingMs(deadline);
      if (left === 0) break;
      await this.wait(left === Number.POSITIVE_INFINITY ? undefined : left);
      result = await predicate();
    }
    return result;
  }

  /** With the lock held: wakes up to `n` waiters (default 1). */
  notify(n = 1): void {
    const remote = this[REMOTE];
    if (remote) {
      remote.send('notify', [n]);
      return;
    }
    this.notifyFor(this.owner, n);
  }

  /** With the lock held: wakes every waiter. */
  notifyAll(): void {
    this.notify(Number.POSITIVE_INFINITY);
  }

  private notifyFor(owner: number, n: number): void {
    if (!this.lock[OWNED_BY](owner)) {
      throw new InvalidStateError('notify() on a Condition whose lock is not held: acquire it first');
    }
    Atomics.add(this.cells, CONDITION_SEQ, 1);
    Atomics.notify(this.cells, CONDITION_SEQ, n);
  }

  private *waitSteps(owner: number, deadline: number): Steps<boolean> {
    const lock = this.lock;
    if (!lock[OWNED_BY](owner)) {
      throw new InvalidStateError('wait() on a Condition whose lock is not held: acquire it first');
    }
    const seq = Atomics.load(this.cells, CONDITION_SEQ);
    const depth = lock[RELEASE_ALL](owner);
    const timeoutMs = remainingMs(deadline);
    const result: WaitResult =
      timeoutMs === 0 ? 'timed-out' : yield { cells: this.cells, index: CONDITION_SEQ, expected: seq, timeoutMs };
    yield* lock[ACQUIRE_STEPS](owner, Number.POSITIVE_INFINITY, depth);
    return result !== 'timed-out';
  }

  /** @internal */
  [MEMORY_STATE](): unknown {
    return { cells: this.cells, lock: marshal(this.lock, 'memory') } satisfies ConditionState;
  }

  /** @internal */
  [INVOKE](method: string, args: readonly unknown[], caller: BrokerCaller): unknown {
    switch (method) {
      case 'acquire':
        return runAsync(this.lock[ACQUIRE_STEPS](caller.owner, deadlineOf(args[0] as number | undefined), 1));
      case 'release':
        return this.lock[RELEASE_ONE](caller.owner);
      case 'wait':
        return runAsync(this.waitSteps(caller.owner, deadlineOf(args[0] as number | undefined)));
      case 'notify':
        return this.notifyFor(caller.owner, args[0] as number);
      default:
        throw unknownMember('Condition', method);
    }
  }

  /** @internal */
  static attach(state: ConditionState | undefined, remote: RemoteRef | undefined): Condition {
    const condition = Object.create(Condition.prototype) as Condition;
    if (state) {
      condition.cells = state.cells;
      condition.lock = reviveNested<Lock | RLock>(state.lock) as Lock | RLock;
      condition.owner = condition.lock instanceof RLock ? condition.lock.owner : THREAD_OWNER;
    }
    condition[REMOTE] = remote;
    return condition;
  }
}

registerKind('Condition', (d, remote) => Condition.attach(memoryState<ConditionState>(d), remote));
