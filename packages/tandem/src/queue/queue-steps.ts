/**
 * The protocols of a Queue's ring: put, get and poll, each a series of wait steps (sync/waits.ts)
 * the caller runs blocking (worker threads) or with Atomics.waitAsync.
 *
 * Protocol: an internal mutex (QUEUE_MUTEX) guards the header and the ring; serializing and
 * deserializing happen outside it. A getter that finds the queue empty reads PUT_SEQ and
 * counts itself in GETTERS while holding the mutex, releases it, and sleeps while PUT_SEQ is
 * unchanged. Each put bumps PUT_SEQ under the mutex and, if GETTERS > 0, wakes one sleeper
 * after releasing it. Since the getter's read and count happened under the mutex before the
 * put took it, either the futex sees the bumped PUT_SEQ (no sleep) or the getter is queued
 * before the notify. A woken getter that loses the item to a faster one sleeps again, so
 * waking one per item loses nothing. Putters mirror this on GET_SEQ and PUTTERS when the
 * queue is full; close() and shutdown() bump both and wake everyone. A poller (a
 * Connection's poll(): "is there an item?") counts itself in POLLERS instead and takes
 * nothing, so a put that sees POLLERS > 0 wakes every sleeper rather than one: a single
 * wake-up could reach the poller and leave a getter asleep beside the item.
 */
import { QueueClosedError, QueueEmptyError, QueueFullError, QueueShutDownError } from '../errors.js';
import {
  QUEUE_CLOSED,
  QUEUE_COUNT,
  QUEUE_GET_SEQ,
  QUEUE_GETTERS,
  QUEUE_MUTEX,
  QUEUE_OPEN,
  QUEUE_POLLERS,
  QUEUE_PUT_SEQ,
  QUEUE_PUTTERS,
  QUEUE_SHUT_DOWN,
  QUEUE_STATE,
} from '../shared/layout.js';
import { lockInternal, unlockMutex } from '../sync/mutex.js';
import { remainingMs, type Steps, type WaitStep } from '../sync/waits.js';
import { decodeItem } from './codec.js';
import { hasRoom, readRecord, recordBytes, writeRecord } from './ring.js';

/** A queue's shared memory as the protocols see it. */
export interface QueueRing {
  readonly cells: Int32Array;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly maxsize: number;
}

const TIMED_OUT = Symbol('timed out');
/** Why a put or get gave up. */
export type Refusal = typeof QUEUE_CLOSED | typeof QUEUE_SHUT_DOWN | typeof TIMED_OUT;

export function* putSteps(ring: QueueRing, payload: Buffer, deadline: number): Steps<true | Refusal> {
  const cells = ring.cells;
  const need = recordBytes(payload.length);
  lockInternal(cells, QUEUE_MUTEX);
  for (;;) {
    const state = Atomics.load(cells, QUEUE_STATE);
    if (state !== QUEUE_OPEN) {
      unlockMutex(cells, QUEUE_MUTEX);
      return state as Refusal;
    }
    if (hasRoom(cells, ring.bytes.length, need, ring.maxsize)) {
      writeRecord(cells, ring.bytes, ring.view, payload);
      Atomics.add(cells, QUEUE_PUT_SEQ, 1);
      const getters = Atomics.load(cells, QUEUE_GETTERS);
      const pollers = Atomics.load(cells, QUEUE_POLLERS);
      unlockMutex(cells, QUEUE_MUTEX);
      if (pollers > 0) Atomics.notify(cells, QUEUE_PUT_SEQ);
      else if (getters > 0) Atomics.notify(cells, QUEUE_PUT_SEQ, 1);
      return true;
    }
    const timeoutMs = remainingMs(deadline);
    if (timeoutMs === 0) {
      unlockMutex(cells, QUEUE_MUTEX);
      return TIMED_OUT;
    }
    yield beginSleep(cells, QUEUE_GET_SEQ, QUEUE_PUTTERS, timeoutMs);
    endSleep(cells, QUEUE_PUTTERS);
  }
}

export function* getSteps(ring: QueueRing, deadline: number): Steps<Buffer | Refusal> {
  const cells = ring.cells;
  lockInternal(cells, QUEUE_MUTEX);
  for (;;) {
    if (Atomics.load(cells, QUEUE_COUNT) > 0) {
      const payload = readRecord(cells, ring.bytes, ring.view);
      Atomics.add(cells, QUEUE_GET_SEQ, 1);
      const putters = Atomics.load(cells, QUEUE_PUTTERS);
      unlockMutex(cells, QUEUE_MUTEX);
      if (putters > 0) Atomics.notify(cells, QUEUE_GET_SEQ, 1);
      return payload;
    }
    const state = Atomics.load(cells, QUEUE_STATE);
    if (state !== QUEUE_OPEN) {
      unlockMutex(cells, QUEUE_MUTEX);
      return state as Refusal;
    }
    const timeoutMs = remainingMs(deadline);
    if (timeoutMs === 0) {
      unlockMutex(cells, QUEUE_MUTEX);
      return TIMED_OUT;
    }
    yield beginSleep(cells, QUEUE_PUT_SEQ, QUEUE_GETTERS, timeoutMs);
    endSleep(cells, QUEUE_GETTERS);
  }
}

/**
 * Resolves true once an item is there or the queue is closed or shut down (a get would not
 * wait), false when the deadline passes or `cancelled()` turns true after a wake-up.
 */
export function* pollSteps(ring: QueueRing, deadline: number, cancelled: () => boolean): Steps<boolean> {
  const cells = ring.cells;
  lockInternal(cells, QUEUE_MUTEX);
  for (;;) {
    if (Atomics.load(cells, QUEUE_COUNT) > 0 || Atomics.load(cells, QUEUE_STATE) !== QUEUE_OPEN) {
      unlockMutex(cells, QUEUE_MUTEX);
      return true;
    }
    const timeoutMs = remainingMs(deadline);
    if (timeoutMs === 0 || cancelled()) {
      unlockMutex(cells, QUEUE_MUTEX);
      return false;
    }
    // As a getter's sleep (see the top of this file), counted in POLLERS instead.
    yield beginSleep(cells, QUEUE_PUT_SEQ, QUEUE_POLLERS, timeoutMs);
    endSleep(cells, QUEUE_POLLERS);
  }
}

/**
 * The one sleep of every protocol here (see the top of this file), in two halves around the
 * caller's `yield` (plain functions, not a delegated generator: `yield*` would make every
 * put and get allocate a larger generator, measured 3% slower uncontended). beginSleep is
 * called with the mutex held: it reads the sequence cell `seqIndex`, counts the caller in
 * `sleepersIndex`, lets the mutex go, and returns the wait (while the sequence is unchanged).
 */
function beginSleep(cells: Int32Array, seqIndex: number, sleepersIndex: number, timeoutMs: number): WaitStep {
  const seq = Atomics.load(cells, seqIndex);
  Atomics.add(cells, sleepersIndex, 1);
  unlockMutex(cells, QUEUE_MUTEX);
  return { cells, index: seqIndex, expected: seq, timeoutMs };
}

/** After the wait: takes the mutex back and uncounts the caller, which then looks again. */
function endSleep(cells: Int32Array, sleepersIndex: number): void {
  lockInternal(cells, QUEUE_MUTEX);
  Atomics.sub(cells, sleepersIndex, 1);
}

/** A put's outcome as the caller sees it: nothing, or the error that says why not. */
export function putOutcome(outcome: true | Refusal): void {
  if (outcome === QUEUE_CLOSED) throw new QueueClosedError('put() on a closed queue');
  if (outcome === QUEUE_SHUT_DOWN) throw new QueueShutDownError('put() on a queue that was shut down');
  if (outcome === TIMED_OUT) throw new QueueFullError('the queue is full');
}

/** A get's outcome as the caller sees it: the item, or the error that says why not. */
export function getOutcome<T>(outcome: Buffer | Refusal): T {
  if (outcome === QUEUE_CLOSED) throw new QueueClosedError('get() on a closed, empty queue');
  if (outcome === QUEUE_SHUT_DOWN) {
    throw new QueueShutDownError('get() on a queue that was shut down, with no item left');
  }
  if (outcome === TIMED_OUT) throw new QueueEmptyError('the queue is empty');
  return decodeItem(outcome) as T;
}
