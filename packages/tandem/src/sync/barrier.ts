/**
 * Barrier: `parties` workers wait until all of them have arrived, as Python's
 * threading.Barrier (its algorithm, states and errors).
 *
 * Protocol: an internal mutex (BARRIER_MUTEX, sync/mutex.ts) guards COUNT and STATE; every
 * change of STATE is made under the mutex and bumps SEQ, then notifies every sleeper on SEQ.
 * A party reads SEQ while it still holds the mutex, releases it, and sleeps while SEQ is
 * unchanged; a change made after its read therefore either shows in the futex compare (no
 * sleep) or comes with a notify that wakes it. Woken, it takes the mutex and looks again.
 */
import { BrokenBarrierError } from '../errors.js';
import {
  BARRIER_BROKEN,
  BARRIER_COUNT,
  BARRIER_DRAINING,
  BARRIER_FILLING,
  BARRIER_MUTEX,
  BARRIER_RESETTING,
  BARRIER_SEQ,
  BARRIER_SLOTS,
  BARRIER_STATE,
  newCells,
} from '../shared/layout.js';
import {
  BROKER_META,
  type BrokerCaller,
  brokerMeta,
  INVOKE,
  MEMORY_STATE,
  memoryState,
  REMOTE,
  type RemoteRef,
  registerKind,
  SHARED_KIND,
  Shareable,
  unknownMember,
} from '../shared/shareable.js';
import { checkOptionNames, describeValue } from '../util/check-options.js';
import { lockInternal, unlockMutex } from './mutex.js';
import { assertMayBlock, brokeredSyncError, deadlineOf, remainingMs, runAsync, runSync, type Steps } from './waits.js';

interface BarrierState {
  readonly cells: Int32Array;
  readonly parties: number;
  readonly timeout: number | undefined;
}

/** Returned by the wait protocol when the barrier broke under this party. */
const BROKE = -1;

/**
 * Makes `parties` workers wait for each other; each wait() resolves to an index in
 * 0..parties-1, distinct per party. abort() breaks it (every waiter rejects with
 * BrokenBarrierError) until reset().
 *
 * @example
 * ```ts
 * const start = new Barrier(3);
 * // in each of 3 workers: const i = await start.wait();
 * ```
 */
export class Barrier extends Shareable {
  /** How many parties must arrive. */
  readonly parties!: number;
  private cells!: Int32Array;
  private timeout: number | undefined;

  /**
   * @param parties - how many parties must call wait() before all of them go on
   * @param options - `timeout`: the default of wait() in ms; a party that times out breaks the barrier
   */
  constructor(parties: number, options?: { readonly timeout?: number }) {
    super();
    if (!Number.isInteger(parties) || parties < 1) {
      const error = typeof parties === 'number' ? RangeError : TypeError;
      throw new error(`Barrier: parties must be an integer >= 1, got ${describeValue(parties)}`);
    }
    checkOptionNames('Barrier', options, ['timeout']);
    if (options?.timeout !== undefined) deadlineOf(options.timeout);
    this.parties = parties;
    this.cells = newCells(BARRIER_SLOTS);
    this.timeout = options?.timeout;
  }

  /** @internal */
  get [SHARED_KIND](): string {
    return 'Barrier';
  }

  /**
   * Arrives and waits for the other parties; resolves to this party's index. Rejects with
   * BrokenBarrierError if the barrier is or becomes broken, or if `timeoutMs` (default: the
   * barrier's timeout) passes first, which breaks it for everyone.
   */
  async wait(timeoutMs?: number): Promise<number> {
    const remote = this[REMOTE];
    if (remote) return (await remote.call('wait', [timeoutMs])) as number;
    return passed(await runAsync(this.waitSteps(deadlineOf(timeoutMs ?? this.timeout))));
  }

  /** wait() that blocks this worker thread. Worker threads only. */
  waitSync(timeoutMs?: number): number {
    if (this[REMOTE]) throw brokeredSyncError('Barrier.waitSync()', '`await barrier.wait()`');
    assertMayBlock('Barrier.waitSync()', '`await barrier.wait()`');
    return passed(runSync(this.waitSteps(deadlineOf(timeoutMs ?? this.timeout))));
  }

  /** Breaks the barrier: waiting and future wait() calls fail with BrokenBarrierError until reset(). */
  abort(): void {
    const remote = this[REMOTE];
    if (remote) {
      remote.send('abort', []);
      return;
    }
    lockInternal(this.cells, BARRIER_MUTEX);
    this.setState(BARRIER_BROKEN);
    unlockMutex(this.cells, BARRIER_MUTEX);
  }

  /** Returns the barrier to its empty state; parties waiting now fail with BrokenBarrierError. */
  reset(): void {
    const remote = this[REMOTE];
    if (remote) {
      remote.send('reset', []);
      return;
    }
    const cells = this.cells;
    lockInternal(cells, BARRIER_MUTEX);
    const state = Atomics.load(cells, BARRIER_STATE);
    if (Atomics.load(cells, BARRIER_COUNT) === 0) this.setState(BARRIER_FILLING);
    else if (state === BARRIER_FILLING || state === BARRIER_BROKEN) this.setState(BARRIER_RESETTING);
    unlockMutex(cells, BARRIER_MUTEX);
  }

  /**
   * How many parties wait in the current cycle: 0 once it has tripped (its parties are
   * leaving) or the barrier is broken, as Python's n_waiting. Not in a child process.
   */
  get nWaiting(): number {
    if (this[REMOTE]) throw brokeredSyncError('Barrier.nWaiting', '`await barrier.wait()`');
    if (Atomics.load(this.cells, BARRIER_STATE) !== BARRIER_FILLING) return 0;
    return Atomics.load(this.cells, BARRIER_COUNT);
  }

  /** Whether the barrier is broken. Not in a child process. */
  get broken(): boolean {
    if (this[REMOTE]) throw brokeredSyncError('Barrier.broken', '`await barrier.wait()` (it rejects when broken)');
    return Atomics.load(this.cells, BARRIER_STATE) === BARRIER_BROKEN;
  }

  /** Under the mutex: every STATE change bumps SEQ and wakes every sleeper. */
  private setState(state: number): void {
    Atomics.store(this.cells, BARRIER_STATE, state);
    Atomics.add(this.cells, BARRIER_SEQ, 1);
    Atomics.notify(this.cells, BARRIER_SEQ);
  }

  /** Releases the mutex and sleeps until STATE changes (or the timeout), then takes the mutex again. */
  private *sleepUnlocked(timeoutMs: number): Steps<void> {
    const cells = this.cells;
    const seq = Atomics.load(cells, BARRIER_SEQ);
    unlockMutex(cells, BARRIER_MUTEX);
    yield { cells, index: BARRIER_SEQ, expected: seq, timeoutMs };
    lockInternal(cells, BARRIER_MUTEX);
  }

  private *waitSteps(deadline: number): Steps<number> {
    const cells = this.cells;
    lockInternal(cells, BARRIER_MUTEX);
    // Parties of the previous round are still leaving: wait for them, as Python does.
    for (;;) {
      const state = Atomics.load(cells, BARRIER_STATE);
      if (state !== BARRIER_DRAINING && state !== BARRIER_RESETTING) break;
      yield* this.sleepUnlocked(Number.POSITIVE_INFINITY);
    }
    if (Atomics.load(cells, BARRIER_STATE) === BARRIER_BROKEN) {
      unlockMutex(cells, BARRIER_MUTEX);
      return BROKE;
    }
    const index = Atomics.load(cells, BARRIER_COUNT);
    Atomics.store(cells, BARRIER_COUNT, index + 1);
    let broke = false;
    if (index + 1 === this.parties) {
      this.setState(BARRIER_DRAINING);
    } else {
      for (;;) {
        const state = Atomics.load(cells, BARRIER_STATE);
        if (state !== BARRIER_FILLING) {
          broke = state === BARRIER_BROKEN || state === BARRIER_RESETTING;
          break;
        }
        const timeoutMs = remainingMs(deadline);
        if (timeoutMs === 0) {
          this.setState(BARRIER_BROKEN);
          broke = true;
          break;
        }
        yield* this.sleepUnlocked(timeoutMs);
      }
    }
    const inside = Atomics.load(cells, BARRIER_COUNT) - 1;
    Atomics.store(cells, BARRIER_COUNT, inside);
    const state = Atomics.load(cells, BARRIER_STATE);
    // The last party out of a finished or reset round opens the next one.
    if (inside === 0 && (state === BARRIER_DRAINING || state === BARRIER_RESETTING)) this.setState(BARRIER_FILLING);
    unlockMutex(cells, BARRIER_MUTEX);
    return broke ? BROKE : index;
  }

  /** @internal */
  [MEMORY_STATE](): unknown {
    return { cells: this.cells, parties: this.parties, timeout: this.timeout } satisfies BarrierState;
  }

  /** @internal */
  override [BROKER_META](): unknown {
    return { parties: this.parties };
  }

  /** @internal */
  [INVOKE](method: string, args: readonly unknown[], _caller: BrokerCaller): unknown {
    switch (method) {
      case 'wait':
        return this.wait(args[0] as number | undefined);
      case 'abort':
        return this.abort();
      case 'reset':
        return this.reset();
      default:
        throw unknownMember('Barrier', method);
    }
  }

  /** @internal */
  static attach(state: BarrierState | undefined, parties: number, remote: RemoteRef | undefined): Barrier {
    const barrier = Object.create(Barrier.prototype) as Barrier & { parties: number };
    barrier.parties = parties;
    if (state) {
      barrier.cells = state.cells;
      barrier.timeout = state.timeout;
    }
    barrier[REMOTE] = remote;
    return barrier;
  }
}

function passed(index: number): number {
  if (index === BROKE) throw new BrokenBarrierError();
  return index;
}

registerKind('Barrier', (d, remote) => {
  const state = memoryState<BarrierState>(d);
  const parties = state?.parties ?? (brokerMeta<{ parties: number }>(d)?.parties as number);
  return Barrier.attach(state, parties, remote);
});
