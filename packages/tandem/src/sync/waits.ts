/**
 * How every blocking protocol of tandem's shared objects waits. A protocol is written once,
 * as a generator that yields each wait it needs ("sleep while cells[index] === expected, at
 * most timeoutMs"); two drivers run it:
 *
 * - runSync, inside worker threads: Atomics.wait blocks the thread (the `...Sync` members);
 * - runAsync, everywhere else: Atomics.waitAsync returns a promise, so the main thread's
 *   event loop never blocks.
 *
 * Both are futex waits: the runtime compares the cell with `expected` and queues the waiter
 * atomically, so a notify that follows a change of the cell can never be missed. Each
 * protocol says which cell it waits on and why its ordering is race-free.
 *
 * A pending Atomics.waitAsync does not keep Node's event loop alive, so while any async wait
 * is pending we hold a ref'd timer: a program awaiting `event.wait()` stays alive, as a
 * Python program blocked in `event.wait()` does.
 */
import { isMainThread, threadId } from 'node:worker_threads';
import { SyncUnavailableError } from '../errors.js';
import type { RemoteRef } from '../shared/shareable.js';
import { describeValue } from '../util/check-options.js';

/** What a protocol asks its driver for: sleep while `cells[index] === expected`. */
export interface WaitStep {
  readonly cells: Int32Array;
  readonly index: number;
  readonly expected: number;
  /** Milliseconds; Infinity for no limit. */
  readonly timeoutMs: number;
}

export type WaitResult = 'ok' | 'not-equal' | 'timed-out';

/** Atomics.waitAsync (ES2024; in Node since 16), typed here since our lib is ES2023. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      cells: Int32Array,
      index: number,
      expected: number,
      timeoutMs: number,
    ): { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
  }
).waitAsync;

/** A blocking protocol: yields waits, receives their results, returns its outcome. */
export type Steps<T> = Generator<WaitStep, T, WaitResult>;

/** Runs a protocol on this thread, blocking it in Atomics.wait. Only for worker threads. */
export function runSync<T>(steps: Steps<T>): T {
  let next = steps.next();
  while (!next.done) {
    const w = next.value;
    next = steps.next(Atomics.wait(w.cells, w.index, w.expected, w.timeoutMs));
  }
  return next.value;
}

/** Runs a protocol without blocking: each wait is an Atomics.waitAsync. */
export async function runAsync<T>(steps: Steps<T>): Promise<T> {
  let next = steps.next();
  if (next.done) return next.value;
  holdLoop();
  try {
    while (!next.done) {
      const w = next.value;
      const waiting = waitAsync(w.cells, w.index, w.expected, w.timeoutMs);
      next = steps.next(waiting.async ? await waiting.value : waiting.value);
    }
    return next.value;
  } finally {
    releaseLoop();
  }
}

/**
 * How every async member that waits with a timeout starts (acquire() of Lock, RLock and
 * Semaphore, Event's wait()): a proxy in a child process asks the parent to run `method`
 * with the timeout; here, `wait(subject, deadline)` runs the protocol. The deadline is taken
 * first, so a bad timeout is refused even when nothing would wait, and refused as a
 * rejection: an async member never throws. `wait` is a plain function of `subject`, not a
 * closure, so the hot uncontended acquire allocates nothing more for it.
 */
export function startTimedWait<S>(
  remote: RemoteRef | undefined,
  method: string,
  timeoutMs: number | undefined,
  subject: S,
  wait: (subject: S, deadline: number) => Promise<boolean>,
): Promise<boolean> {
  if (remote) return remote.call(method, [timeoutMs]) as Promise<boolean>;
  try {
    return wait(subject, deadlineOf(timeoutMs));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * The synchronous twin of startTimedWait, for the `...Sync` members that simply wait
 * (Event.waitSync, Semaphore.acquireSync, Condition.waitSync): refused on a proxy (a child
 * process shares no memory with the parent) and on the main thread, in that order; then
 * `steps(subject, deadline)` blocks this worker thread.
 */
export function blockingTimedWait<S, T>(
  remote: RemoteRef | undefined,
  member: string,
  instead: string,
  timeoutMs: number | undefined,
  subject: S,
  steps: (subject: S, deadline: number) => Steps<T>,
): T {
  if (remote) throw brokeredSyncError(member, instead);
  assertMayBlock(member, instead);
  return runSync(steps(subject, deadlineOf(timeoutMs)));
}

let pendingAsyncWaits = 0;
let keepAlive: NodeJS.Timeout | undefined;

function holdLoop(): void {
  if (pendingAsyncWaits++ === 0) keepAlive = setInterval(() => {}, 2 ** 30);
}

function releaseLoop(): void {
  if (--pendingAsyncWaits === 0) {
    clearInterval(keepAlive);
    keepAlive = undefined;
  }
}

/** The moment a timeout runs out, as performance.now(); Infinity without one. */
export function deadlineOf(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined || timeoutMs === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (typeof timeoutMs !== 'number') {
    throw new TypeError(`timeout must be a number of milliseconds >= 0, got ${describeValue(timeoutMs)}`);
  }
  if (Number.isNaN(timeoutMs) || timeoutMs < 0) {
    throw new RangeError(`timeout must be a number of milliseconds >= 0, got ${String(timeoutMs)}`);
  }
  return performance.now() + timeoutMs;
}

/** Milliseconds left before `deadline` (0 when past it). */
export function remainingMs(deadline: number): number {
  if (deadline === Number.POSITIVE_INFINITY) return deadline;
  return Math.max(0, deadline - performance.now());
}

/**
 * Throws unless this thread may block: the `...Sync` members are for worker threads; the
 * main thread (which also runs the inline backend's tasks) must use the async member.
 */
export function assertMayBlock(member: string, instead: string): void {
  if (isMainThread) {
    throw new SyncUnavailableError(member, instead, "it would block the main thread's event loop");
  }
}

/** The error a synchronous member throws on a proxy for an object that lives in the parent process. */
export function brokeredSyncError(member: string, instead: string): SyncUnavailableError {
  return new SyncUnavailableError(
    member,
    instead,
    'this object lives in the parent process, and a child process shares no memory with it',
  );
}

/** This thread's owner id for RLock and Condition: threadId + 1 (so the main thread is 1, never 0 = "nobody"). */
export const THREAD_OWNER = threadId + 1;

let virtualOwners = 0;

/**
 * A negative owner id, unique in this process, for callers that are not a thread of their
 * own: a child process whose calls the broker runs, or an inline worker, whose tasks run on
 * the main thread but must not share the main thread's hold on an RLock.
 */
export function newVirtualOwner(): number {
  return -++virtualOwners;
}

/** The owner id for an RLock revived here: a thread's own, or a fresh one on the main thread (inline). */
export function revivedOwner(): number {
  return isMainThread ? newVirtualOwner() : THREAD_OWNER;
}
