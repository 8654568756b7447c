/**
 * Queue: a FIFO of structured-cloneable items shared by threads and processes, bounded by
 * `maxsize`, as Python's multiprocessing.Queue.
 *
 * Items are serialized (codec.ts: node:v8's structured-clone format, or a direct encoding
 * for strings and numbers) into a byte ring in a SharedArrayBuffer (ring.ts), so worker
 * threads put and get without involving the main thread. Across processes the parent keeps the queue and brokers put and get.
 *
 * The put, get and poll protocols over the ring live in queue-steps.ts.
 */
import { InvalidStateError, QueueClosedError, QueueShutDownError } from '../errors.js';
import {
  newCells,
  QUEUE_CLOSED,
  QUEUE_COUNT,
  QUEUE_GET_SEQ,
  QUEUE_HEAD,
  QUEUE_MUTEX,
  QUEUE_PUT_SEQ,
  QUEUE_SHUT_DOWN,
  QUEUE_SLOTS,
  QUEUE_STATE,
  QUEUE_TAIL,
  QUEUE_UNFINISHED,
  QUEUE_USED,
} from '../shared/layout.js';
import * as shareable from '../shared/shareable.js';
import { lockInternal, unlockMutex } from '../sync/mutex.js';
import { assertMayBlock, brokeredSyncError, deadlineOf, runAsync, runSync, type Steps } from '../sync/waits.js';
import { checkOptionNames, describeValue } from '../util/check-options.js';
import { encodeItem } from './codec.js';
import { getOutcome, getSteps, pollSteps, putOutcome, putSteps, type QueueRing } from './queue-steps.js';
import { recordBytes } from './ring.js';

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

/** What put and get end with when they could not: the queue's STATE (closed or shut down), or this. */
/** @internal A Connection's poll(): waits until an item is there or the queue is closed (see POLLERS). */
export const POLL_STEPS: unique symbol = Symbol('tandem.pollSteps');
/** @internal See Queue[WAKE_POLLERS]. */
export const WAKE_POLLERS: unique symbol = Symbol('tandem.wakePollers');

/** `{ immediate }` of Queue.shutdown(). */
export interface QueueShutdownOptions {
  /** Drop the items left, so get() fails at once (and join() returns), as Python's `immediate=True`. */
  readonly immediate?: boolean;
}

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
export class Queue<T = unknown> extends shareable.Shareable {
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
  get [shareable.SHARED_KIND](): string {
    return 'Queue';
  }

  /**
   * Adds an item, waiting while the queue is full; rejects with QueueFullError if `timeout`
   * ms pass first (`timeout: 0`: do not wait), QueueClosedError after close().
   */
  put(item: T, options?: QueueWaitOptions): Promise<void> {
    const remote = this[shareable.REMOTE];
    if (remote) return remote.call('put', [item, options?.timeout]) as Promise<void>;
    try {
      const payload = this.encode(item);
      return runAsync(putSteps(this.ring(), payload, deadlineOf(options?.timeout))).then(putOutcome);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** put() that blocks this worker thread. Worker threads only. */
  putSync(item: T, options?: QueueWaitOptions): void {
    if (this[shareable.REMOTE]) throw brokeredSyncError('Queue.putSync()', '`await queue.put(item)`');
    assertMayBlock('Queue.putSync()', '`await queue.put(item)`');
    putOutcome(runSync(putSteps(this.ring(), this.encode(item), deadlineOf(options?.timeout))));
  }

  /** Adds an item if there is room now, else throws QueueFullError. */
  putNowait(item: T): void {
    if (this[shareable.REMOTE]) throw brokeredSyncError('Queue.putNowait()', '`await queue.put(item, { timeout: 0 })`');
    putOutcome(runSync(putSteps(this.ring(), this.encode(item), deadlineOf(0))));
  }

  /**
   * Removes and returns the oldest item, waiting while the queue is empty; rejects with
   * QueueEmptyError if `timeout` ms pass first, QueueClosedError once closed and empty.
   */
  get(options?: QueueWaitOptions): Promise<T> {
    const remote = this[shareable.REMOTE];
    if (remote) return remote.call('get', [options?.timeout]) as Promise<T>;
    try {
      return runAsync(getSteps(this.ring(), deadlineOf(options?.timeout))).then(getOutcome<T>);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** get() that blocks this worker thread. Worker threads only. */
  getSync(options?: QueueWaitOptions): T {
    if (this[shareable.REMOTE]) throw brokeredSyncError('Queue.getSync()', '`await queue.get()`');
    assertMayBlock('Queue.getSync()', '`await queue.get()`');
    return getOutcome<T>(runSync(getSteps(this.ring(), deadlineOf(options?.timeout))));
  }

  /** Removes and returns the oldest item if there is one now, else throws QueueEmptyError. */
  getNowait(): T {
    if (this[shareable.REMOTE]) throw brokeredSyncError('Queue.getNowait()', '`await queue.get({ timeout: 0 })`');
    return getOutcome<T>(runSync(getSteps(this.ring(), deadlineOf(0))));
  }

  /** How many items it holds now (a snapshot). Not in a child process: use `await queue.size()`. */
  qsize(): number {
    if (this[shareable.REMOTE]) throw brokeredSyncError('Queue.qsize()', '`await queue.size()`');
    return Atomics.load(this.cells, QUEUE_COUNT);
  }

  /** Whether it is empty now. Not in a child process: use `(await queue.size()) === 0`. */
  empty(): boolean {
    if (this[shareable.REMOTE]) throw brokeredSyncError('Queue.empty()', '`(await queue.size()) === 0`');
    return this.qsize() === 0;
  }

  /** Whether it holds maxsize items now. Not in a child process: compare `await queue.size()` with maxsize. */
  full(): boolean {
    if (this[shareable.REMOTE]) throw brokeredSyncError('Queue.full()', '`(await queue.size()) >= queue.maxsize`');
    return this.maxsize > 0 && this.qsize() >= this.maxsize;
  }

  /** How many items it holds now; works everywhere. */
  size(): Promise<number> {
    const remote = this[shareable.REMOTE];
    if (remote) return remote.call('size', []) as Promise<number>;
    return Promise.resolve(this.qsize());
  }

  /**
   * Yields items as they arrive until the queue is closed (or shut down) and empty, on every backend:
   * `for await (const item of queue) { ... }` is the consumer loop without the
   * QueueClosedError bookkeeping.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      let item: T;
      try {
        item = await this.get();
      } catch (error) {
        if (error instanceof QueueClosedError || error instanceof QueueShutDownError) return;
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
    const remote = this[shareable.REMOTE];
    if (remote) {
      remote.send('close', []);
      return;
    }
    this.endWith(QUEUE_CLOSED, false);
  }

  /**
   * Shuts the queue down, as Python 3.13's `Queue.shutdown()`: put() fails from now on with
   * QueueShutDownError, and so does get() once the queue is empty. With `immediate: true` the
   * items left are dropped (each counts as done, so `join()` of a JoinableQueue returns), and
   * get() fails at once. Callers waiting in put() or get() wake up and fail.
   */
  shutdown(options?: QueueShutdownOptions): void {
    checkOptionNames(`${this.constructor.name}.shutdown`, options, ['immediate']);
    const immediate = options?.immediate ?? false;
    if (typeof immediate !== 'boolean') {
      throw new TypeError(`shutdown: option immediate must be a boolean, got ${describeValue(immediate)}`);
    }
    const remote = this[shareable.REMOTE];
    if (remote) {
      remote.send('shutdown', [immediate]);
      return;
    }
    this.endWith(QUEUE_SHUT_DOWN, immediate);
  }

  /** close() and shutdown(): the new STATE under the mutex, then every sleeper woken to see it. */
  private endWith(state: typeof QUEUE_CLOSED | typeof QUEUE_SHUT_DOWN, dropItems: boolean): void {
    const cells = this.cells;
    lockInternal(cells, QUEUE_MUTEX);
    // Shut down wins over closed: both refuse puts, and shutdown's error is the more specific.
    if (Atomics.load(cells, QUEUE_STATE) !== QUEUE_SHUT_DOWN) Atomics.store(cells, QUEUE_STATE, state);
    let dropped = 0;
    if (dropItems) {
      dropped = Atomics.exchange(cells, QUEUE_COUNT, 0);
      Atomics.store(cells, QUEUE_HEAD, 0);
      Atomics.store(cells, QUEUE_TAIL, 0);
      Atomics.store(cells, QUEUE_USED, 0);
    }
    Atomics.add(cells, QUEUE_PUT_SEQ, 1);
    Atomics.add(cells, QUEUE_GET_SEQ, 1);
    unlockMutex(cells, QUEUE_MUTEX);
    Atomics.notify(cells, QUEUE_PUT_SEQ);
    Atomics.notify(cells, QUEUE_GET_SEQ);
    // Dropped items are done: join() sleeps on UNFINISHED while it holds the value it read,
    // so this change either shows in its futex compare or comes with this notify.
    if (dropped > 0 && Atomics.sub(cells, QUEUE_UNFINISHED, dropped) === dropped) {
      Atomics.notify(cells, QUEUE_UNFINISHED);
    }
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

  /**
   * @internal Resolves true once an item is there or the queue is closed or shut down (a get
   * would not wait), false when the deadline passes or `cancelled()` turns true after a wake-up
   * (waitConnections stops the polls it no longer needs by notifying PUT_SEQ).
   */
  *[POLL_STEPS](deadline: number, cancelled: () => boolean): Steps<boolean> {
    return yield* pollSteps(this.ring(), deadline, cancelled);
  }

  private ring(): QueueRing {
    return { cells: this.cells, bytes: this.bytes, view: this.view, maxsize: this.maxsize };
  }

  /** @internal Wakes every poller (and, harmlessly, getters: they look again) so cancelled polls can end. */
  [WAKE_POLLERS](): void {
    Atomics.notify(this.cells, QUEUE_PUT_SEQ);
  }

  private connect(state: QueueState): this {
    (this as { maxsize: number }).maxsize = state.maxsize;
    this.cells = state.cells;
    this.bytes = state.bytes;
    this.view = new DataView(state.bytes.buffer, state.bytes.byteOffset, state.bytes.byteLength);
    return this;
  }

  /** @internal */
  [shareable.MEMORY_STATE](): unknown {
    return { cells: this.cells, bytes: this.bytes, maxsize: this.maxsize } satisfies QueueState;
  }

  /** @internal */
  override [shareable.BROKER_META](): unknown {
    return { maxsize: this.maxsize };
  }

  /** @internal */
  [shareable.INVOKE](method: string, args: readonly unknown[], _caller: shareable.BrokerCaller): unknown {
    switch (method) {
      case 'put':
        return this.put(args[0] as T, { timeout: args[1] as number | undefined });
      case 'get':
        return this.get({ timeout: args[0] as number | undefined });
      case 'size':
        return this.size();
      case 'close':
        return this.close();
      case 'shutdown':
        return this.shutdown({ immediate: args[0] as boolean });
      case 'taskDone':
        return this.markDone();
      case 'join':
        return runAsync(this.joinSteps());
      default:
        throw shareable.unknownMember(this[shareable.SHARED_KIND], method);
    }
  }

  /** @internal */
  static attach<Q extends Queue>(prototype: Q, descriptorState: unknown, remote: shareable.RemoteRef | undefined): Q {
    const queue = Object.create(prototype) as Q;
    if (remote) (queue as { maxsize: number }).maxsize = (descriptorState as { maxsize: number }).maxsize;
    else (queue as Queue).connect(descriptorState as QueueState);
    queue[shareable.REMOTE] = remote;
    return queue;
  }
}

shareable.registerKind('Queue', (d, remote) =>
  Queue.attach(Queue.prototype, shareable.memoryState(d) ?? shareable.brokerMeta(d), remote),
);
