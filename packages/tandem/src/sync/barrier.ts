/**
 * Barrier: `parties` workers wait until all of them have arrived, as Python's
 * threading.Barrier (its algorithm, states and errors).
 *
 * Protocol: an internal mutex (BARRIER_MUTEX, sync/mutex.ts) guards COUNT and STATE; every
 * change of STATE is made under the mutex and bumps SEQ, then notifies every sleeper on SEQ.
 * A party reads SEQ while it still holds the mutex, releases it, and sleeps while SEQ is
 * unchanged; a change made after its read therefore either shows in the futex compare (no
 * sleep) or comes with a notify that wakes it. Woken, it takes the mutex and looks again.
 *
 * With an `action`, the last party to arrive sets STATE to ACTION instead of DRAINING and runs
 * the action outside the mutex; the parties inside keep sleeping through ACTION (their
 * timeouts do not count then), and new arrivals wait as they do for a draining round. The
 * action's party then sets DRAINING (or BROKEN if the action threw), unless abort() or reset()
 * changed STATE meanwhile, in which case the round is broken for everyone.
 */
import { loadTask } from '../entry/task-loader.js';
import { BrokenBarrierError, InvalidStateError } from '../errors.js';
import { taskSpecOf } from '../pool/task-spec.js';
import type { TaskSpec } from '../protocol.js';
import {
  BARRIER_ACTION,
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
import { marshalItems } from '../shared/marshal.js';
import * as shareable from '../shared/shareable.js';
import type { AnyFunction } from '../tasks.js';
import { checkOptionKind, checkOptionNames, describeValue } from '../util/check-options.js';
import { lockInternal, unlockMutex } from './mutex.js';
import { assertMayBlock, brokeredSyncError, deadlineOf, remainingMs, runAsync, runSync, type Steps } from './waits.js';

interface BarrierState {
  readonly cells: Int32Array;
  readonly parties: number;
  readonly timeout: number | undefined;
  /** How a worker finds the action: a task ref's module and name, or a self-contained function's source. */
  readonly action: TaskSpec | undefined;
  /** The action's arguments, shared objects among them as descriptors. */
  readonly actionArgs: readonly unknown[];
}

/** Options of `new Barrier(parties, options)`. */
export interface BarrierOptions {
  /** The default timeout of wait(), in ms; a party that times out breaks the barrier. */
  readonly timeout?: number;
  /**
   * Runs once per cycle, in the last party to arrive, before any party is released (Python's
   * `action`). A task from defineTasks or a self-contained function, since a worker thread
   * that arrives last runs it there; a child process's wait runs in the parent, and so does
   * its action. If it throws, that party's wait rejects with its error and the others' with
   * BrokenBarrierError. wait() awaits a promise it returns; waitSync() needs it synchronous.
   */
  // biome-ignore lint/suspicious/noExplicitAny: any function; actionArgs are its arguments.
  readonly action?: (...args: any[]) => unknown;
  /**
   * Arguments for `action` (Python passes a callable object or a `functools.partial`): data
   * and tandem's shared objects, such as the Value or Queue the action reports to.
   */
  readonly actionArgs?: readonly unknown[];
}

/** Returned by the wait protocol when the barrier broke under this party. */
const BROKE = -1;

/** How a party's arrival ended: its index, whether the round broke, whether it must run the action. */
interface Arrival {
  readonly index: number;
  readonly broke: boolean;
  readonly runAction: boolean;
}

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
export class Barrier extends shareable.Shareable {
  /** How many parties must arrive. */
  readonly parties!: number;
  private cells!: Int32Array;
  private timeout: number | undefined;
  /** The action here: the caller's function, or (revived in a worker) the one its spec names, once loaded. */
  private action: AnyFunction | Promise<AnyFunction> | undefined;
  /** What a worker needs to find the action; computed when the barrier is first sent to one. */
  private actionSpec: TaskSpec | undefined;
  private actionArgs: readonly unknown[] = [];

  /**
   * @param parties - how many parties must call wait() before all of them go on
   * @param options - `timeout`: the default of wait() in ms; `action`: runs once per cycle before the parties go on
   */
  constructor(parties: number, options?: BarrierOptions) {
    super();
    if (!Number.isInteger(parties) || parties < 1) {
      const error = typeof parties === 'number' ? RangeError : TypeError;
      throw new error(`Barrier: parties must be an integer >= 1, got ${describeValue(parties)}`);
    }
    checkOptionNames('Barrier', options, ['timeout', 'action', 'actionArgs']);
    checkOptionKind('Barrier', 'action', options?.action, 'function');
    if (options?.actionArgs !== undefined && !Array.isArray(options.actionArgs)) {
      throw new TypeError(`Barrier: option actionArgs must be an array, got ${describeValue(options.actionArgs)}`);
    }
    if (options?.actionArgs !== undefined && options.action === undefined) {
      throw new TypeError('Barrier: actionArgs was given without an action');
    }
    if (options?.timeout !== undefined) deadlineOf(options.timeout);
    this.parties = parties;
    this.cells = newCells(BARRIER_SLOTS);
    this.timeout = options?.timeout;
    this.action = options?.action;
    this.actionArgs = options?.actionArgs ?? [];
  }

  /** @internal */
  get [shareable.SHARED_KIND](): string {
    return 'Barrier';
  }

  /**
   * Arrives and waits for the other parties; resolves to this party's index. Rejects with
   * BrokenBarrierError if the barrier is or becomes broken, or if `timeoutMs` (default: the
   * barrier's timeout) passes first, which breaks it for everyone.
   */
  async wait(timeoutMs?: number): Promise<number> {
    const remote = this[shareable.REMOTE];
    if (remote) return (await remote.call('wait', [timeoutMs])) as number;
    const arrival = await runAsync(this.waitSteps(deadlineOf(timeoutMs ?? this.timeout)));
    if (!arrival.runAction) return passed(arrival);
    let failure: { error: unknown } | undefined;
    try {
      const action = await this.action;
      await action?.(...this.actionArgs);
    } catch (error) {
      failure = { error };
    }
    const outcome = this.finishAction(arrival.index, failure !== undefined);
    if (failure) throw failure.error;
    return passed(outcome);
  }

  /** wait() that blocks this worker thread. Worker threads only. */
  waitSync(timeoutMs?: number): number {
    if (this[shareable.REMOTE]) throw brokeredSyncError('Barrier.waitSync()', '`await barrier.wait()`');
    assertMayBlock('Barrier.waitSync()', '`await barrier.wait()`');
    const arrival = runSync(this.waitSteps(deadlineOf(timeoutMs ?? this.timeout)));
    if (!arrival.runAction) return passed(arrival);
    let failure: { error: unknown } | undefined;
    try {
      const action = this.action;
      if (action instanceof Promise) {
        throw new InvalidStateError(
          "waitSync(): the barrier's action is still being imported in this worker; use wait()",
        );
      }
      const result: unknown = action?.(...this.actionArgs);
      if (result instanceof Promise) {
        result.catch(() => {});
        throw new InvalidStateError("waitSync(): the barrier's action returned a promise, which only wait() can await");
      }
    } catch (error) {
      failure = { error };
    }
    const outcome = this.finishAction(arrival.index, failure !== undefined);
    if (failure) throw failure.error;
    return passed(outcome);
  }

  /** Breaks the barrier: waiting and future wait() calls fail with BrokenBarrierError until reset(). */
  abort(): void {
    if (shareable.sentToParent(this, 'abort')) return;
    lockInternal(this.cells, BARRIER_MUTEX);
    this.setState(BARRIER_BROKEN);
    unlockMutex(this.cells, BARRIER_MUTEX);
  }

  /** Returns the barrier to its empty state; parties waiting now fail with BrokenBarrierError. */
  reset(): void {
    if (shareable.sentToParent(this, 'reset')) return;
    const cells = this.cells;
    lockInternal(cells, BARRIER_MUTEX);
    const state = Atomics.load(cells, BARRIER_STATE);
    if (Atomics.load(cells, BARRIER_COUNT) === 0) this.setState(BARRIER_FILLING);
    else if (state === BARRIER_FILLING || state === BARRIER_BROKEN || state === BARRIER_ACTION) {
      this.setState(BARRIER_RESETTING);
    }
    unlockMutex(cells, BARRIER_MUTEX);
  }

  /**
   * How many parties wait in the current cycle: 0 once it has tripped (its parties are
   * leaving) or the barrier is broken, as Python's n_waiting. Not in a child process.
   */
  get nWaiting(): number {
    if (this[shareable.REMOTE]) throw brokeredSyncError('Barrier.nWaiting', '`await barrier.wait()`');
    if (Atomics.load(this.cells, BARRIER_STATE) !== BARRIER_FILLING) return 0;
    return Atomics.load(this.cells, BARRIER_COUNT);
  }

  /** Whether the barrier is broken. Not in a child process. */
  get broken(): boolean {
    if (this[shareable.REMOTE])
      throw brokeredSyncError('Barrier.broken', '`await barrier.wait()` (it rejects when broken)');
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

  private *waitSteps(deadline: number): Steps<Arrival> {
    const cells = this.cells;
    lockInternal(cells, BARRIER_MUTEX);
    // Parties of the previous round are still leaving (or its action runs): wait for them, as Python does.
    for (;;) {
      const state = Atomics.load(cells, BARRIER_STATE);
      if (state !== BARRIER_DRAINING && state !== BARRIER_RESETTING && state !== BARRIER_ACTION) break;
      yield* this.sleepUnlocked(Number.POSITIVE_INFINITY);
    }
    if (Atomics.load(cells, BARRIER_STATE) === BARRIER_BROKEN) {
      unlockMutex(cells, BARRIER_MUTEX);
      return { index: BROKE, broke: true, runAction: false };
    }
    const index = Atomics.load(cells, BARRIER_COUNT);
    Atomics.store(cells, BARRIER_COUNT, index + 1);
    let broke = false;
    if (index + 1 === this.parties) {
      if (this.action !== undefined) {
        // The caller runs the action outside the mutex, then calls finishAction().
        this.setState(BARRIER_ACTION);
        unlockMutex(cells, BARRIER_MUTEX);
        return { index, broke: false, runAction: true };
      }
      this.setState(BARRIER_DRAINING);
    } else {
      for (;;) {
        const state = Atomics.load(cells, BARRIER_STATE);
        if (state === BARRIER_ACTION) {
          yield* this.sleepUnlocked(Number.POSITIVE_INFINITY);
          continue;
        }
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
    this.leaveLocked();
    unlockMutex(cells, BARRIER_MUTEX);
    return { index, broke, runAction: false };
  }

  /** The action's party, after running it: releases the round (or breaks it), then leaves. */
  private finishAction(index: number, actionFailed: boolean): Arrival {
    const cells = this.cells;
    lockInternal(cells, BARRIER_MUTEX);
    let broke = true;
    // abort() or reset() during the action changed STATE: that round is broken for everyone.
    if (Atomics.load(cells, BARRIER_STATE) === BARRIER_ACTION) {
      this.setState(actionFailed ? BARRIER_BROKEN : BARRIER_DRAINING);
      broke = actionFailed;
    }
    this.leaveLocked();
    unlockMutex(cells, BARRIER_MUTEX);
    return { index, broke, runAction: false };
  }

  /** Under the mutex: a party leaves wait(); the last one out of a finished or reset round opens the next. */
  private leaveLocked(): void {
    const cells = this.cells;
    const inside = Atomics.load(cells, BARRIER_COUNT) - 1;
    Atomics.store(cells, BARRIER_COUNT, inside);
    const state = Atomics.load(cells, BARRIER_STATE);
    if (inside === 0 && (state === BARRIER_DRAINING || state === BARRIER_RESETTING)) this.setState(BARRIER_FILLING);
  }

  /** @internal */
  [shareable.MEMORY_STATE](): unknown {
    if (this.action !== undefined && this.actionSpec === undefined) {
      this.actionSpec = taskSpecOf(this.action as AnyFunction);
    }
    return {
      cells: this.cells,
      parties: this.parties,
      timeout: this.timeout,
      action: this.actionSpec,
      actionArgs: marshalItems([this.actionArgs], 'memory')?.[0] ?? this.actionArgs,
    } satisfies BarrierState;
  }

  /** @internal */
  override [shareable.BROKER_META](): unknown {
    return { parties: this.parties };
  }

  /** @internal */
  [shareable.INVOKE](method: string, args: readonly unknown[], _caller: shareable.BrokerCaller): unknown {
    switch (method) {
      case 'wait':
        return this.wait(args[0] as number | undefined);
      case 'abort':
        return this.abort();
      case 'reset':
        return this.reset();
      default:
        throw shareable.unknownMember('Barrier', method);
    }
  }

  /** @internal */
  static attach(state: BarrierState | undefined, parties: number, remote: shareable.RemoteRef | undefined): Barrier {
    const barrier = Object.create(Barrier.prototype) as Barrier & { parties: number };
    barrier.parties = parties;
    if (state) {
      barrier.cells = state.cells;
      barrier.timeout = state.timeout;
      barrier.actionSpec = state.action;
      if (state.action) {
        // Found now (a task module this worker imported, or a self-contained function's source);
        // a module not imported yet loads in the background, and wait() awaits it.
        const action = loadTask(state.action);
        if (action instanceof Promise) action.catch(() => {}); // reported by the wait that runs it
        barrier.action = action;
        barrier.actionArgs = shareable.reviveNestedArgs(state.actionArgs);
      }
    }
    barrier[shareable.REMOTE] = remote;
    return barrier;
  }
}

function passed(arrival: Arrival): number {
  if (arrival.broke) throw new BrokenBarrierError();
  return arrival.index;
}

shareable.registerKind('Barrier', (d, remote) => {
  const state = shareable.memoryState<BarrierState>(d);
  const parties = state?.parties ?? (shareable.brokerMeta<{ parties: number }>(d)?.parties as number);
  return Barrier.attach(state, parties, remote);
});
