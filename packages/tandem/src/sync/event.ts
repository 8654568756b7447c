/**
 * Event: a flag that workers can wait for, as Python's threading.Event.
 *
 * Protocol (EVENT_FLAG): set() stores 1 and then notifies every sleeper; a waiter sleeps
 * only while the cell is 0, and the futex compares and queues atomically, so a set() that
 * lands between the waiter's check and its sleep makes the sleep return at once.
 */
import { EVENT_FLAG, EVENT_SLOTS, newCells } from '../shared/layout.js';
import * as shareable from '../shared/shareable.js';
import { registerCellsKind, SharedCells } from './shared-cells.js';
import { blockingTimedWait, brokeredSyncError, remainingMs, runAsync, type Steps, startTimedWait } from './waits.js';

/**
 * A flag that starts clear; `set()` wakes everyone waiting for it. Pass it to workers as a
 * task argument, a Process arg or a Process subclass field.
 *
 * @example
 * ```ts
 * const stop = new Event();
 * pool.apply(tasks.workUntil, [stop]); // the task polls stop.isSet() or awaits stop.wait()
 * stop.set();
 * ```
 */
export class Event extends SharedCells {
  constructor() {
    super();
    this.cells = newCells(EVENT_SLOTS);
  }

  /** @internal */
  get [shareable.SHARED_KIND](): string {
    return 'Event';
  }

  /** Sets the flag and wakes every waiter. */
  set(): void {
    if (shareable.sentToParent(this, 'set')) return;
    Atomics.store(this.cells, EVENT_FLAG, 1);
    Atomics.notify(this.cells, EVENT_FLAG);
  }

  /** Clears the flag; later waits block until the next set(). */
  clear(): void {
    if (shareable.sentToParent(this, 'clear')) return;
    Atomics.store(this.cells, EVENT_FLAG, 0);
  }

  /** Whether the flag is set. Not in a child process: use `await event.wait(0)` there. */
  isSet(): boolean {
    if (this[shareable.REMOTE]) throw brokeredSyncError('Event.isSet()', '`await event.wait(0)`');
    return Atomics.load(this.cells, EVENT_FLAG) === 1;
  }

  /**
   * Resolves true once the flag is set, or false if `timeoutMs` passes first (`wait(0)`
   * just reads the flag). Works everywhere; the main thread's event loop keeps running.
   */
  wait(timeoutMs?: number): Promise<boolean> {
    return startTimedWait(this[shareable.REMOTE], 'wait', timeoutMs, this.cells, waitAsync);
  }

  /** wait() that blocks this worker thread instead of returning a promise. Worker threads only. */
  waitSync(timeoutMs?: number): boolean {
    const remote = this[shareable.REMOTE];
    return blockingTimedWait(remote, 'Event.waitSync()', '`await event.wait()`', timeoutMs, this.cells, waitSteps);
  }

  /** @internal */
  [shareable.INVOKE](method: string, args: readonly unknown[], _caller: shareable.BrokerCaller): unknown {
    switch (method) {
      case 'set':
        return this.set();
      case 'clear':
        return this.clear();
      case 'wait':
        return this.wait(args[0] as number | undefined);
      default:
        throw shareable.unknownMember('Event', method);
    }
  }
}

function* waitSteps(cells: Int32Array, deadline: number): Steps<boolean> {
  while (Atomics.load(cells, EVENT_FLAG) === 0) {
    const timeoutMs = remainingMs(deadline);
    if (timeoutMs === 0) return false;
    yield { cells, index: EVENT_FLAG, expected: 0, timeoutMs };
  }
  return true;
}

/** Waits for the flag on `cells` without blocking. */
function waitAsync(cells: Int32Array, deadline: number): Promise<boolean> {
  return runAsync(waitSteps(cells, deadline));
}

registerCellsKind('Event', Event.prototype);
