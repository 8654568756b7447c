/**
 * Queue: a FIFO of structured-cloneable items shared by threads and processes, bounded by
 * `maxsize`, as Python's multiprocessing.Queue.
 *
 * Items are serialized (codec.ts: node:v8's structured-clone format, or a direct encoding
 * for strings and numbers) into a byte ring in a SharedArrayBuffer (ring.ts), so worker
 * threads put and get without involving the main thread. Across processes the parent keeps the queue and brokers put and get.
 *
 * Protocol: an internal mutex (QUEUE_MUTEX) guards the header and the ring; serializing and
 * deserializing happen outside it. A getter that finds the queue empty reads PUT_SEQ and
 * counts itself in GETTERS while holding the mutex, releases it, and sleeps while PUT_SEQ is
 * unchanged. Each put bumps PUT_SEQ under the mutex and, if GETTERS > 0, wakes one sleeper
 * after releasing it. Since the getter's read and count happened under the mutex before the
 * put took it, either the futex sees the bumped PUT_SEQ (no sleep) or the getter is queued
 * before the notify. A woken getter that loses the item to a faster one sleeps again, so
 * waking one per item loses nothing. Putters mirror this on GET_SEQ and PUTTERS when the
 * queue is full; close() bumps both and wakes everyone.
 */
import { InvalidStateError, QueueClosedError, QueueEmptyError, QueueFullError } from '../errors.js';
import {
  newCells,
  QUEUE_CLOSED,
  QUEUE_COUNT,
  QUEUE_GET_SEQ,
  QUEUE_GETTERS,
  QUEUE_MUTEX,
  QUEUE_PUT_SEQ,
  QUEUE_PUTTERS,
  QUEUE_SLOTS,
  QUEUE_UNFINISHED,
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
import { lockInternal, unlockMutex } from '../sync/mutex.js';
import {
  assertMayBlock,
  brokeredSyncError,
  deadlineOf,
  remainingMs,
  runAsync,
  runSync,
  type Steps,
} from '../sync/waits.js';
import { checkOptionNames, describeValue } from '../util/check-options.js';
import { decodeItem, encodeItem } from './codec.js';
import { hasRoom, readRecord, recordBytes, writeRecord } from './ring.js';

/** Default size of a queue's byte ring. The memory is reserved, and only touched as it is used. */
export const DEFAULT_QUEUE_CAPACITY_BYTES = 1 << 20;

/** Options of a Queue. */
export interface QueueOptions {
  /**
   * Bytes of the shared ring holding the serialized items (default 1 MiB). An item larger
   * than this cannot be put (RangeError); when the bytes run out, put() waits as if full.
   */
  readonly capacityBytes?: number;
}

/** `{ timeout }` of put() and get(): milliseconds to wait at most (`0`: do not wait). */
export interface QueueWaitOptions {
  readonly timeout?: number | undefined;
}

interface QueueState {
  readonly cells: Int32Array;
  readonly bytes: Uint8Array;
  readonly maxsize: number;
}

const CLOSED = Symbol('closed');
const TIMED_OUT = Symbol('timed out');

/**
 * A FIFO queue that worker threads, child processes and the main thread share. Items are any
 * structured-cloneable value, copied in and out.
 *
 * @example
 * ```ts
 * const results = new Queue<number>(100);
 * pool.apply(tasks.produce, [results]); // the task awaits results.put(x)
 * const x = await results.get({ timeout: 1000 });
 * ```
 */
export class Queue<T = unknown> extends Shareable {
  /** The most items the queue holds (0: no limit but its byte capacity). */
  readonly maxsize!: number;
  private cells!: Int32Array;
  private bytes!: Uint8Array;
  private view!: DataView;

  /**
   * @param maxsize - the most items it holds; 0 or omitted: no limit but `capacityBytes`
   * @param options - `capacityBytes` of the shared ring (default 1 MiB)
   */
  constructor(maxsize = 0, options?: QueueOptions) {
    super();
    const owner = new.target.name;
    if (!Number.isInteger(maxsize) || maxsize < 0) {
      const error = typeof maxsize === 'number' ? RangeError : TypeError;
      throw new error(`${owner}: maxsize must be an integer >= 0, got ${describeValue(maxsize)}`);
    }
    checkOptionNames(owner, options, ['capacityBytes']);
    const capacity = options?.capacityBytes ?? DEFAULT_QUEUE_CAPACITY_BYTES;
    if (!Number.isInteger(capacity) || capacity < 16 || capacity > 2 ** 30) {
      const error = typeof capacity === 'number' ? RangeError : TypeError;
      throw new error(
        `${owner}: option capacityBytes must be an integer from 16 to 2^30, got ${describeValue(capacity)}`,
      );
    }
    this.maxsize = maxsize;
    this.connect({
      cells: newCells(QUEUE_SLOTS),
      bytes: new Uint8Array(new SharedArrayBuffer(capacity & ~3)),
      maxsize,
    });
  }

  /** @internal */
  get [SHARED_KIND](): string {
    return 'Queue';
  }

  /**
   * Adds an item, waiting while the queue is full; rejects with QueueFullError if `timeout`
   * ms pass first (`timeout: 0`: do not wait), QueueClosedError after close().
   */
  put(item: T, options?: QueueWaitOptions): Promise<void> {
    const remote = this[REMOTE];
    if (remote) return remote.call('put', [item, options?.timeout]) as Promise<void>;
    try {
      const payload = this.encode(item);
      return runAsync(this.putSteps(payload, deadlineOf(options?.timeout))).then(putOutcome);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** put() that blocks this worker thread. Worker threads only. */
  putSync(item: T, options?: QueueWaitOptions): void {
    if (this[REMOTE]) throw brokeredSyncError('Queue.putSync()', '`await queue.put(item)`');
    assertMayBlock('Queue.putSync()', '`await queue.put(item)`');
    putOutcome(runSync(this.putSteps(this.encode(item), deadlineOf(options?.timeout))));
  }

  /** Adds an item if there is room now, else throws QueueFullError. */
  putNowait(item: T): void {
    if (this[REMOTE]) throw brokeredSyncError('Queue.putNowait()', '`await queue.put(item, { timeout: 0 })`');
    putOutcome(runSync(this.putSteps(this.encode(item), deadlineOf(0))));
  }

  /**
   * Removes and returns the oldest item, waiting while the queue is empty; rejects with
   * QueueEmptyError if `timeout` ms pass first, QueueClosedError once closed and empty.
   */
  get(options?: QueueWaitOptions): Promise<T> {
    const remote = this[REMOTE];
    if (remote) return remote.call('get', [options?.timeout]) as Promise<T>;
    try {
      return runAsync(this.getSteps(deadlineOf(options?.timeout))).then(getOutcome<T>);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** get() that blocks this worker thread. Worker threads only. */
  getSync(options?: QueueWaitOptions): T {
    if (this[REMOTE]) throw brokeredSyncError('Queue.getSync()', '`await queue.get()`');
    assertMayBlock('Queue.getSync()', '`await queue.get()`');
    return getOutcome<T>(runSync(this.getSteps(deadlineOf(options?.timeout))));
  }

  /** Removes and returns the oldest item if there is one now, else throws QueueEmptyError. */
  getNowait(): T {
    if (this[REMOTE]) throw brokeredSyncError('Queue.getNowait()', '`await queue.get({ timeout: 0 })`');
    return getOutcome<T>(runSync(this.getSteps(deadlineOf(0))));
  }

  /** How many items it holds now (a snapshot). Not in a child process: use `await queue.size()`. */
  qsize(): number {
    if (this[REMOTE]) throw brokeredSyncError('Queue.qsize()', '`await queue.size()`');
    return Atomics.load(this.cells, QUEUE_COUNT);
  }

  /** Whether it is empty now. Not in a child process: use `(await queue.size()) === 0`. */
  empty(): boolean {
    if (this[REMOTE]) throw brokeredSyncError('Queue.empty()', '`(await queue.size()) === 0`');
    return this.qsize() === 0;
  }

  /** Whether it holds maxsize items now. Not in a child process: compare `await queue.size()` with maxsize. */
  full(): boolean {
    if (this[REMOTE]) throw brokeredSyncError('Queue.full()', '`(await queue.size()) >= queue.maxsize`');
    return this.maxsize > 0 && this.qsize() >= this.maxsize;
  }

  /** How many items it holds now; works everywhere. */
  size(): Promise<number> {
    const remote = this[REMOTE];
    if (remote) return remote.call('size', []) as Promise<number>;
    return Promise.resolve(this.qsize());
  }

  /**
   * Yields items as they arrive until the queue is closed and empty, on every backend:
   * `for await (const item of queue) { ... }` is the consumer loop without the
   * QueueClosedError bookkeeping.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      let item: T;
      try {
        item = await this.get();
      } catch (error) {
        if (error instanceof QueueClosedError) return;
        throw error;
      }
      yield item;
    }
  }

  /**
   * Closes the queue for everyone: put() fails from now on with QueueClosedError; get()
   * still returns what is left, then fails with QueueClosedError instead of waiting.
   */
  close(): void {
    const remote = this[REMOTE];
    if (remote) {
      remote.send('close', []);
      return;
    }
    const cells = this.cells;
    lockInternal(cells, QUEUE_MUTEX);
    Atomics.store(cells, QUEUE_CLOSED, 1);
    Atomics.add(cells, QUEUE_PUT_SEQ, 1);
    Atomics.add(cells, QUEUE_GET_SEQ, 1);
    unlockMutex(cells, QUEUE_MUTEX);
    Atomics.notify(cells, QUEUE_PUT_SEQ);
    Atomics.notify(cells, QUEUE_GET_SEQ);
  }

  /** @internal JoinableQueue: one item put earlier is done. */
  protected markDone(): void {
    const cells = this.cells;
    const before = Atomics.sub(cells, QUEUE_UNFINISHED, 1);
    if (before <= 0) {
      Atomics.add(cells, QUEUE_UNFINISHED, 1);
      throw new InvalidStateError('taskDone() called more times than there were items put');
    }
    // join() sleeps while UNFINISHED holds the value it read: the futex compare makes a
    // taskDone() between its read and its sleep visible, and this notify wakes it otherwise.
    if (before === 1) Atomics.notify(cells, QUEUE_UNFINISHED);
  }

  /** @internal JoinableQueue: waits until every item put has been marked done. */
  protected *joinSteps(): Steps<void> {
    for (
      let left = Atomics.load(this.cells, QUEUE_UNFINISHED);
      left > 0;
      left = Atomics.load(this.cells, QUEUE_UNFINISHED)
    ) {
      yield { cells: this.cells, index: QUEUE_UNFINISHED, expected: left, timeoutMs: Number.POSITIVE_INFINITY };
    }
  }

  private encode(item: T): Buffer {
    const payload = encodeItem(item);
    if (recordBytes(payload.length) > this.bytes.length) {
      throw new RangeError(
        `the item takes ${payload.length} bytes serialized, more than the queue's ring (${this.bytes.length} bytes): ` +
          'give the Queue a larger capacityBytes',
      );
    }
    return payload;
  }

  private *putSteps(payload: Buffer, deadline: number): Steps<true | typeof CLOSED | typeof TIMED_OUT> {
    const cells = this.cells;
    const need = recordBytes(payload.length);
    lockInternal(cells, QUEUE_MUTEX);
    for (;;) {
      if (Atomics.load(cells, QUEUE_CLOSED) === 1) {
        unlockMutex(cells, QUEUE_MUTEX);
        return CLOSED;
      }
      if (hasRoom(cells, this.bytes.length, need, this.maxsize)) {
        writeRecord(cells, this.bytes, this.view, payload);
        Atomics.add(cells, QUEUE_PUT_SEQ, 1);
        const getters = Atomics.load(cells, QUEUE_GETTERS);
        unlockMutex(cells, QUEUE_MUTEX);
        if (getters > 0) Atomics.notify(cells, QUEUE_PUT_SEQ, 1);
        return true;
      }
      const timeoutMs = remainingMs(deadline);
      if (timeoutMs === 0) {
        unlockMutex(cells, QUEUE_MUTEX);
        return TIMED_OUT;
      }
      const seq = Atomics.load(cells, QUEUE_GET_SEQ);
      Atomics.add(cells, QUEUE_PUTTERS, 1);
      unlockMutex(cells, QUEUE_MUTEX);
      yield { cells, index: QUEUE_GET_SEQ, expected: seq, timeoutMs };
      lockInternal(cells, QUEUE_MUTEX);
      Atomics.sub(cells, QUEUE_PUTTERS, 1);
    }
  }

  private *getSteps(deadline: number): Steps<Buffer | typeof CLOSED | typeof TIMED_OUT> {
    const cells = this.cells;
    lockInternal(cells, QUEUE_MUTEX);
    for (;;) {
      if (Atomics.load(cells, QUEUE_COUNT) > 0) {
        const payload = readRecord(cells, this.bytes, this.view);
        Atomics.add(cells, QUEUE_GET_SEQ, 1);
        const putters = Atomics.load(cells, QUEUE_PUTTERS);
        unlockMutex(cells, QUEUE_MUTEX);
        if (putters > 0) Atomics.notify(cells, QUEUE_GET_SEQ, 1);
        return payload;
      }
      if (Atomics.load(cells, QUEUE_CLOSED) === 1) {
        unlockMutex(cells, QUEUE_MUTEX);
        return CLOSED;
      }
      const timeoutMs = remainingMs(deadline);
      if (timeoutMs === 0) {
        unlockMutex(cells, QUEUE_MUTEX);
        return TIMED_OUT;
      }
      const seq = Atomics.load(cells, QUEUE_PUT_SEQ);
      Atomics.add(cells, QUEUE_GETTERS, 1);
      unlockMutex(cells, QUEUE_MUTEX);
      yield { cells, index: QUEUE_PUT_SEQ, expected: seq, timeoutMs };
      lockInternal(cells, QUEUE_MUTEX);
      Atomics.sub(cells, QUEUE_GETTERS, 1);
    }
  }

  private connect(state: QueueState): this {
    (this as { maxsize: number }).maxsize = state.maxsize;
    this.cells = state.cells;
    this.bytes = state.bytes;
    this.view = new DataView(state.bytes.buffer, state.bytes.byteOffset, state.bytes.byteLength);
    return this;
  }

  /** @internal */
  [MEMORY_STATE](): unknown {
    return { cells: this.cells, bytes: this.bytes, maxsize: this.maxsize } satisfies QueueState;
  }

  /** @internal */
  override [BROKER_META](): unknown {
    return { maxsize: this.maxsize };
  }

  /** @internal */
  [INVOKE](method: string, args: readonly unknown[], _caller: BrokerCaller): unknown {
    switch (method) {
      case 'put':
        return this.put(args[0] as T, { timeout: args[1] as number | undefined });
      case 'get':
        return this.get({ timeout: args[0] as number | undefined });
      case 'size':
        return this.size();
      case 'close':
        return this.close();
      case 'taskDone':
        return this.markDone();
      case 'join':
        return runAsync(this.joinSteps());
      default:
        throw unknownMember(this[SHARED_KIND], method);
    }
  }

  /** @internal */
  static attach<Q extends Queue>(prototype: Q, descriptorState: unknown, remote: RemoteRef | undefined): Q {
    const queue = Object.create(prototype) as Q;
    if (remote) (queue as { maxsize: number }).maxsize = (descriptorState as { maxsize: number }).maxsize;
    else (queue as Queue).connect(descriptorState as QueueState);
    queue[REMOTE] = remote;
    return queue;
  }
}

function putOutcome(outcome: true | typeof CLOSED | typeof TIMED_OUT): void {
  if (outcome === CLOSED) throw new QueueClosedError('put() on a closed queue');
  if (outcome === TIMED_OUT) throw new QueueFullError('the queue is full');
}

function getOutcome<T>(outcome: Buffer | typeof CLOSED | typeof TIMED_OUT): T {
  if (outcome === CLOSED) throw new QueueClosedError('get() on a closed, empty queue');
  if (outcome === TIMED_OUT) throw new QueueEmptyError('the queue is empty');
  return decodeItem(outcome) as T;
}

registerKind('Queue', (d, remote) => Queue.attach(Queue.prototype, memoryState(d) ?? brokerMeta(d), remote));
