/**
 * Event: a flag that workers can wait for, as Python's threading.Event.
 *
 * Protocol (EVENT_FLAG): set() stores 1 and then notifies every sleeper; a waiter sleeps
 * only while the cell is 0, and the futex compares and queues atomically, so a set() that
 * lands between the waiter's check and its sleep makes the sleep return at once.
 */
import { EVENT_FLAG, EVENT_SLOTS, newCells } from '../shared/layout.js';
import * as shareable from '../shared/shareable.js';
import { assertMayBlock, brokeredSyncError, deadlineOf, remainingMs, runAsync, runSync, type Steps } from './waits.js';

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
export class Event extends shareable.Shareable {
  private cells!: Int32Array;

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
    const remote = this[shareable.REMOTE];
    if (remote) {
      remote.send('set', []);
      return;
    }
    Atomics.store(this.cells, EVENT_FLAG, 1);
    Atomics.notify(this.cells, EVENT_FLAG);
  }

  /** Clears the flag; later waits block until the next set(). */
  clear(): void {
    const remote = this[shareable.REMOTE];
    if (remote) {
      remote.send('clear', []);
      return;
    }
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
    const remote = this[shareable.REMOTE];
    if (remote) return remote.call('wait', [timeoutMs]) as Promise<boolean>;
    try {
      return runAsync(waitSteps(this.cells, deadlineOf(timeoutMs)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** wait() that blocks this worker thread instead of returning a promise. Worker threads only. */
  waitSync(timeoutMs?: number): boolean {
    if (this[shareable.REMOTE]) throw brokeredSyncError('Event.waitSync()', '`await event.wait()`');
    assertMayBlock('Event.waitSync()', '`await event.wait()`');
    return runSync(waitSteps(this.cells, deadlineOf(timeoutMs)));
  }

  /** @internal */
  [shareable.MEMORY_STATE](): unknown {
    return this.cells;
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

  /** @internal */
  static attach(cells: Int32Array | undefined, remote: shareable.RemoteRef | undefined): Event {
    const event = Object.create(Event.prototype) as Event;
    if (cells) event.cells = cells;
    event[shareable.REMOTE] = remote;
    return event;
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

shareable.registerKind('Event', (d, remote) => Event.attach(shareable.memoryState<Int32Array>(d), remote));
