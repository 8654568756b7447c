/**
 * Semaphore and BoundedSemaphore, as Python's: a counter that acquire() decrements, waiting
 * while it is 0, and release() increments.
 *
 * Protocol (SEMAPHORE_VALUE): acquire takes a unit with compare-and-swap, and sleeps only
 * while the cell is 0; release adds to the cell and then notifies as many sleepers as units
 * it added. A sleeper is queued atomically with its check that the cell is 0, so a release
 * either happened before (and the sleep returns at once) or wakes it. A woken acquirer that
 * loses the unit to a faster one simply sleeps again: no unit is lost.
 */

import { InvalidStateError } from '../errors.js';
import { newCells, SEMAPHORE_SLOTS, SEMAPHORE_VALUE } from '../shared/layout.js';
import * as shareable from '../shared/shareable.js';
import { describeValue } from '../util/check-options.js';
import { type AcquireOptions, acquireForCaller, holding } from './lock-like.js';
import { blockingTimedWait, brokeredSyncError, remainingMs, runAsync, type Steps, startTimedWait } from './waits.js';

interface SemaphoreState {
  readonly cells: Int32Array;
  /** The most the counter may hold (BoundedSemaphore), or Infinity. */
  readonly bound: number;
}

/**
 * A counter of free units: acquire() takes one (waiting while there are none), release()
 * gives one back. Bounds how many workers do something at once.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(2); // at most two workers in the section
 * await slots.acquire(); try { ... } finally { slots.release(); }
 * ```
 */
export class Semaphore extends shareable.Shareable {
  private cells!: Int32Array;
  private bound!: number;

  /** @param value - the initial number of free units (default 1) */
  constructor(value = 1) {
    super();
    if (!Number.isInteger(value) || value < 0 || value > 0x7fff_ffff) {
      const error = typeof value === 'number' ? RangeError : TypeError;
      throw new error(`${new.target.name}: the initial value must be an integer >= 0, got ${describeValue(value)}`);
    }
    this.cells = newCells(SEMAPHORE_SLOTS);
    this.cells[SEMAPHORE_VALUE] = value;
    this.bound = Number.POSITIVE_INFINITY;
  }

  /** @internal */
  get [shareable.SHARED_KIND](): string {
    return 'Semaphore';
  }

  /** Takes one unit; resolves false if `timeout` ms pass first. */
  acquire(options?: AcquireOptions): Promise<boolean> {
    return startTimedWait(this[shareable.REMOTE], 'acquire', options?.timeout, this.cells, acquireAsync);
  }

  /** acquire() that blocks this worker thread. Worker threads only. */
  acquireSync(options?: AcquireOptions): boolean {
    const member = `${this[shareable.SHARED_KIND]}.acquireSync()`;
    const instead = '`await semaphore.acquire()`';
    return blockingTimedWait(this[shareable.REMOTE], member, instead, options?.timeout, this.cells, acquireSteps);
  }

  /** Gives back `n` units (default 1), waking up to `n` waiters. */
  release(n = 1): void {
    if (shareable.sentToParent(this, 'release', [n])) return;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`release(n): n must be an integer >= 1, got ${n}`);
    const cells = this.cells;
    for (;;) {
      const value = Atomics.load(cells, SEMAPHORE_VALUE);
      if (value + n > this.bound) {
        throw new InvalidStateError(`BoundedSemaphore released too many times: it holds at most ${this.bound}`);
      }
      if (Atomics.compareExchange(cells, SEMAPHORE_VALUE, value, value + n) === value) break;
    }
    Atomics.notify(cells, SEMAPHORE_VALUE, n);
  }

  /** Free units right now (a snapshot). Not in a child process. */
  get value(): number {
    if (this[shareable.REMOTE]) throw brokeredSyncError('Semaphore.value', '`await semaphore.acquire({ timeout: 0 })`');
    return Atomics.load(this.cells, SEMAPHORE_VALUE);
  }

  /** Runs `fn` holding one unit, and gives it back however `fn` ends. */
  withLock<T>(fn: () => T | Promise<T>): Promise<T> {
    return holding(this, fn);
  }

  /** @internal */
  [shareable.MEMORY_STATE](): unknown {
    return { cells: this.cells, bound: this.bound } satisfies SemaphoreState;
  }

  /** @internal */
  [shareable.INVOKE](method: string, args: readonly unknown[], caller: shareable.BrokerCaller): unknown {
    switch (method) {
      case 'acquire':
        return acquireForCaller(this, args[0], caller);
      case 'release':
        return this.release(args[0] as number);
      default:
        throw shareable.unknownMember(this[shareable.SHARED_KIND], method);
    }
  }

  /** @internal */
  static attach<S extends Semaphore>(
    prototype: S,
    state: SemaphoreState | undefined,
    remote: shareable.RemoteRef | undefined,
  ): S {
    const semaphore = Object.create(prototype) as S;
    if (state) {
      (semaphore as Semaphore).cells = state.cells;
      (semaphore as Semaphore).bound = state.bound;
    }
    semaphore[shareable.REMOTE] = remote;
    return semaphore;
  }

  /** @internal */
  protected setBound(bound: number): void {
    this.bound = bound;
  }
}

/** A Semaphore that refuses (InvalidStateError) to be released above its initial value. */
export class BoundedSemaphore extends Semaphore {
  /** @param value - the initial and greatest number of free units (default 1) */
  constructor(value = 1) {
    super(value);
    this.setBound(value);
  }

  /** @internal */
  override get [shareable.SHARED_KIND](): string {
    return 'BoundedSemaphore';
  }
}

/** Takes one unit of the semaphore on `cells` without blocking. */
function acquireAsync(cells: Int32Array, deadline: number): Promise<boolean> {
  return runAsync(acquireSteps(cells, deadline));
}

function* acquireSteps(cells: Int32Array, deadline: number): Steps<boolean> {
  for (;;) {
    const value = Atomics.load(cells, SEMAPHORE_VALUE);
    if (value > 0) {
      if (Atomics.compareExchange(cells, SEMAPHORE_VALUE, value, value - 1) === value) return true;
      continue;
    }
    const timeoutMs = remainingMs(deadline);
    if (timeoutMs === 0) return false;
    yield { cells, index: SEMAPHORE_VALUE, expected: 0, timeoutMs };
  }
}

shareable.registerKind('Semaphore', (d, remote) =>
  Semaphore.attach(Semaphore.prototype, shareable.memoryState<SemaphoreState>(d), remote),
);
shareable.registerKind('BoundedSemaphore', (d, remote) =>
  Semaphore.attach(BoundedSemaphore.prototype, shareable.memoryState<SemaphoreState>(d), remote),
);
