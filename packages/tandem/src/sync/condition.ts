/**
 * Condition: a condition variable over a Lock or RLock, as Python's threading.Condition.
 *
 * Protocol (CONDITION_* cells in shared/layout.ts). notify(n) wakes at most n waiters, as
 * Python promises, by handing out wake-up tokens:
 * - wait(), holding the lock: counts itself in WAITERS and reads SEQ, releases the lock, then
 *   loops: take a token (CAS on TOKENS) and leave; otherwise sleep while SEQ equals what it
 *   read, read SEQ again, and retry.
 * - notify(n), holding the lock: k = min(n, WAITERS); WAITERS -= k; TOKENS += k; SEQ += 1;
 *   futex-wake k sleepers.
 * No wake-up is lost: a waiter reads SEQ before it looks for a token, and notify adds tokens
 * before it bumps SEQ, so a notify after that read either leaves a token the waiter sees or
 * changes SEQ under its sleep (the futex compare fails, or the wake reaches it). A waiter that
 * had not gone to sleep yet may take a token first; a woken one that then finds none sleeps
 * again, still counted. Exactly k waiters leave per notify. A waiter whose time ran out takes
 * the lock back and then, under it, either takes a token that arrived meanwhile (it was
 * notified after all) or uncounts itself.
 */
import { InvalidStateError } from '../errors.js';
import { CONDITION_SEQ, CONDITION_SLOTS, CONDITION_TOKENS, CONDITION_WAITERS, newCells } from '../shared/layout.js';
import { marshal } from '../shared/marshal.js';
import * as shareable from '../shared/shareable.js';
import type { Lock } from './lock.js';
import { ACQUIRE_STEPS, type AcquireOptions, holding, OWNED_BY, RELEASE_ALL, RELEASE_ONE } from './lock-like.js';
import { RLock } from './rlock.js';
import {
  blockingTimedWait,
  deadlineOf,
  remainingMs,
  runAsync,
  type Steps,
  startTimedWait,
  THREAD_OWNER,
} from './waits.js';

interface ConditionState {
  readonly cells: Int32Array;
  readonly lock: shareable.SharedDescriptor;
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
export class Condition extends shareable.Shareable {
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
  get [shareable.SHARED_KIND](): string {
    return 'Condition';
  }

  /** Takes the condition's lock. */
  acquire(options?: AcquireOptions): Promise<boolean> {
    const remote = this[shareable.REMOTE];
    if (remote) return remote.call('acquire', [options?.timeout]) as Promise<boolean>;
    return this.lock.acquire(options);
  }

  /** Releases the condition's lock. */
  release(): void {
    if (shareable.sentToParent(this, 'release')) return;
    this.lock.release();
  }

  /** Runs `fn` holding the condition's lock. */
  withLock<T>(fn: () => T | Promise<T>): Promise<T> {
    return holding(this, fn);
  }

  /**
   * With the lock held: releases it, waits for a notify (or `timeoutMs`), takes it back.
   * Resolves false if the time ran out.
   */
  wait(timeoutMs?: number): Promise<boolean> {
    const wait = (condition: Condition, deadline: number) => runAsync(condition.waitSteps(condition.owner, deadline));
    return startTimedWait(this[shareable.REMOTE], 'wait', timeoutMs, this, wait);
  }

  /** wait() that blocks this worker thread. Worker threads only. */
  waitSync(timeoutMs?: number): boolean {
    const steps = (condition: Condition, deadline: number) => condition.waitSteps(condition.owner, deadline);
    const instead = '`await condition.wait()`';
    return blockingTimedWait(this[shareable.REMOTE], 'Condition.waitSync()', instead, timeoutMs, this, steps);
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
    if (shareable.sentToParent(this, 'notify', [n])) return;
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
    const cells = this.cells;
    const waiting = Atomics.load(cells, CONDITION_WAITERS);
    const woken = Math.min(n, waiting);
    if (woken <= 0) return;
    Atomics.store(cells, CONDITION_WAITERS, waiting - woken);
    Atomics.add(cells, CONDITION_TOKENS, woken);
    Atomics.add(cells, CONDITION_SEQ, 1);
    Atomics.notify(cells, CONDITION_SEQ, woken);
  }

  private *waitSteps(owner: number, deadline: number): Steps<boolean> {
    const lock = this.lock;
    if (!lock[OWNED_BY](owner)) {
      throw new InvalidStateError('wait() on a Condition whose lock is not held: acquire it first');
    }
    const cells = this.cells;
    Atomics.add(cells, CONDITION_WAITERS, 1);
    let seq = Atomics.load(cells, CONDITION_SEQ);
    const depth = lock[RELEASE_ALL](owner);
    let notified = false;
    for (;;) {
      if (takeToken(cells)) {
        notified = true;
        break;
      }
      const timeoutMs = remainingMs(deadline);
      if (timeoutMs === 0) break;
      yield { cells, index: CONDITION_SEQ, expected: seq, timeoutMs };
      seq = Atomics.load(cells, CONDITION_SEQ);
    }
    yield* lock[ACQUIRE_STEPS](owner, Number.POSITIVE_INFINITY, depth);
    if (!notified) {
      if (takeToken(cells)) notified = true;
      else Atomics.sub(cells, CONDITION_WAITERS, 1);
    }
    return notified;
  }

  /** @internal */
  [shareable.MEMORY_STATE](): unknown {
    return { cells: this.cells, lock: marshal(this.lock, 'memory') } satisfies ConditionState;
  }

  /** @internal */
  [shareable.INVOKE](method: string, args: readonly unknown[], caller: shareable.BrokerCaller): unknown {
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
        throw shareable.unknownMember('Condition', method);
    }
  }

  /** @internal */
  static attach(state: ConditionState | undefined, remote: shareable.RemoteRef | undefined): Condition {
    const condition = Object.create(Condition.prototype) as Condition;
    if (state) {
      condition.cells = state.cells;
      condition.lock = shareable.reviveNested<Lock | RLock>(state.lock) as Lock | RLock;
      condition.owner = condition.lock instanceof RLock ? condition.lock.owner : THREAD_OWNER;
    }
    condition[shareable.REMOTE] = remote;
    return condition;
  }
}

/** Takes one wake-up token if there is one. */
function takeToken(cells: Int32Array): boolean {
  for (let tokens = Atomics.load(cells, CONDITION_TOKENS); tokens > 0; ) {
    const seen = Atomics.compareExchange(cells, CONDITION_TOKENS, tokens, tokens - 1);
    if (seen === tokens) return true;
    tokens = seen;
  }
  return false;
}

shareable.registerKind('Condition', (d, remote) => Condition.attach(shareable.memoryState<ConditionState>(d), remote));
