/** Pool: the public face of the scheduler, shaped after Python's multiprocessing.Pool. */
import { EventEmitter } from 'node:events';
import { createBackend } from '../backends/select.js';
import { PoolClosedError } from '../errors.js';
import type { AnyFunction } from '../tasks.js';
import { assertNotBootstrapping } from '../util/bootstrap.js';
import { checkOptionNames, describeValue } from '../util/check-options.js';
import { ApplyCall } from './apply-call.js';
import { AsyncResult } from './async-result.js';
import type { ScheduledTask } from './job.js';
import { MapCall } from './map-call.js';
import {
  APPLY_ASYNC_OPTIONS,
  APPLY_OPTIONS,
  type ApplyOptions,
  type AsyncResultCallbacks,
  IMAP_OPTIONS,
  type ImapOptions,
  MAP_ASYNC_OPTIONS,
  MAP_OPTIONS,
  type MapOptions,
  type PoolOptions,
  requirePositiveInteger,
  resolvePoolOptions,
} from './options.js';
import { ResultIterator } from './result-iterator.js';
import { Scheduler } from './scheduler.js';
import type { PoolStats } from './stats.js';
import { StreamCall } from './stream-call.js';
import { taskSpecOf } from './task-spec.js';

/** Payloads of the events a Pool emits. */
export interface PoolEvents {
  /** A worker was started (including replacements). */
  workerStart: [{ workerId: number; pid: number; threadId: number | undefined }];
  /** A worker ended; `error` is what killed it, if it crashed. */
  workerExit: [{ workerId: number; exitCode: number; error: Error | undefined }];
  /** A job (one task, or one chunk of map/imap) was handed to a worker. */
  taskStart: [{ task: string; items: number; workerId: number }];
  /** A job settled. `runMs` is undefined when it did not run to the end. */
  taskSettled: [{ task: string; items: number; ok: boolean; runMs: number | undefined; error: Error | undefined }];
}

type Result<F extends AnyFunction> = Awaited<ReturnType<F>>;

/**
 * A pool of workers that run tasks in parallel.
 *
 * @example
 * ```ts
 * const pool = new Pool({ workers: 4 });
 * const squares = await pool.map(tasks.square, [1, 2, 3]);
 * pool.close();
 * await pool.join();
 * ```
 */
export class Pool extends EventEmitter<PoolEvents> {
  readonly #scheduler: Scheduler;
  readonly #workers: number;
  readonly #tasks = new WeakMap<AnyFunction, ScheduledTask>();

  constructor(options: PoolOptions = {}) {
    super();
    assertNotBootstrapping('new Pool()');
    const resolved = resolvePoolOptions(options);
    const backend = createBackend(resolved.backend, {
      resourceLimits: options.resourceLimits,
      env: options.env,
      execArgv: options.execArgv,
      name: resolved.name,
      logPrefix: options.logPrefix ?? false,
      redis: resolved.redis,
    });
    this.#workers = Math.min(resolved.workers, backend.maxWorkers);
    this.#scheduler = new Scheduler({
      backend,
      maxWorkers: this.#workers,
      poolName: resolved.name,
      maxTasksPerWorker: resolved.maxTasksPerWorker,
      minWorkers: Math.min(resolved.minWorkers, this.#workers),
      idleTimeout: resolved.idleTimeout,
      lanes: resolved.concurrentTasksPerWorker,
      taskTimeout: resolved.taskTimeout,
      maxQueue: resolved.maxQueue,
      prefetch: resolved.prefetch,
      initializer: options.initializer
        ? { spec: taskSpecOf(options.initializer), args: options.initArgs ?? [] }
        : undefined,
      events: this,
    });
  }

  /** How many workers the pool runs at most. */
  get workers(): number {
    return this.#workers;
  }

  /** Runs `task(...args)` in a worker and resolves to its result. */
  apply<F extends AnyFunction>(task: F, args: Parameters<F>, options?: ApplyOptions): Promise<Result<F>> {
    return this.#apply(task, args, options, { method: 'apply', options: APPLY_OPTIONS }).promise as Promise<Result<F>>;
  }

  /** Like apply, but returns an {@link AsyncResult} to poll, wait on with a deadline, or cancel. */
  applyAsync<F extends AnyFunction>(
    task: F,
    args: Parameters<F>,
    options?: ApplyOptions & AsyncResultCallbacks<Result<F>>,
  ): AsyncResult<Result<F>> {
    return withCallbacks(options, 'applyAsync', () => {
      const call = this.#apply(task, args, options, { method: 'applyAsync', options: APPLY_ASYNC_OPTIONS });
      return new AsyncResult(call.promise as Promise<Result<F>>, (e) => call.cancel(e));
    });
  }

  /** Applies `task` to every item; resolves to the results in input order. Rejects on the first failure. */
  map<T, R>(task: (item: T) => R, items: Iterable<T> | AsyncIterable<T>, options?: MapOptions): Promise<Awaited<R>[]> {
    return this.#collect(task, items, false, 'map', options).promise as Promise<Awaited<R>[]>;
  }

  /** Like map, but each item is an argument list: `task(...item)`. */
  starmap<F extends AnyFunction>(
    task: F,
    items: Iterable<Parameters<F>> | AsyncIterable<Parameters<F>>,
    options?: MapOptions,
  ): Promise<Result<F>[]> {
    return this.#collect(task, items, true, 'starmap', options).promise as Promise<Result<F>[]>;
  }

  /**
   * map that returns an {@link AsyncResult} of the results in input order (Python's
   * `map_async`): poll it, wait on it with a deadline, or cancel it (queued chunks are
   * dropped, running ones' workers replaced); `callback` gets the results, `errorCallback`
   * the first failure.
   */
  mapAsync<T, R>(
    task: (item: T) => R,
    items: Iterable<T> | AsyncIterable<T>,
    options?: MapOptions & AsyncResultCallbacks<Awaited<R>[]>,
  ): AsyncResult<Awaited<R>[]> {
    return withCallbacks(options, 'mapAsync', () => {
      const call = this.#collect(task, items, false, 'mapAsync', options, MAP_ASYNC_OPTIONS);
      return new AsyncResult(call.promise as Promise<Awaited<R>[]>, (e) => call.cancel(e));
    });
  }

  /** Like mapAsync, but each item is an argument list: `task(...item)` (Python's `starmap_async`). */
  starmapAsync<F extends AnyFunction>(
    task: F,
    items: Iterable<Parameters<F>> | AsyncIterable<Parameters<F>>,
    options?: MapOptions & AsyncResultCallbacks<Result<F>[]>,
  ): AsyncResult<Result<F>[]> {
    return withCallbacks(options, 'starmapAsync', () => {
      const call = this.#collect(task, items, true, 'starmapAsync', options, MAP_ASYNC_OPTIONS);
      return new AsyncResult(call.promise as Promise<Result<F>[]>, (e) => call.cancel(e));
    });
  }

  /**
   * Applies `task` to items pulled lazily from `items` (which may be endless) and yields
   * results in input order. At most `maxInFlight` items are between the source and your loop.
   */
  imap<T, R>(
    task: (item: T) => R,
    items: Iterable<T> | AsyncIterable<T>,
    options?: ImapOptions,
  ): AsyncIterableIterator<Awaited<R>> {
    return this.#stream(task, items, true, 'imap', options) as AsyncIterableIterator<Awaited<R>>;
  }

  /** Like imap, but yields results as they complete. */
  imapUnordered<T, R>(
    task: (item: T) => R,
    items: Iterable<T> | AsyncIterable<T>,
    options?: ImapOptions,
  ): AsyncIterableIterator<Awaited<R>> {
    return this.#stream(task, items, false, 'imapUnordered', options) as AsyncIterableIterator<Awaited<R>>;
  }

  /** Refuses new work (PoolClosedError); queued and running work finishes, then workers exit. */
  close(): void {
    this.#scheduler.close();
  }

  /** Resolves once the pool is closed (or terminated) and every worker has exited. */
  join(): Promise<void> {
    return this.#scheduler.join();
  }

  /** Stops every worker at once; everything pending rejects with PoolClosedError. */
  async terminate(): Promise<void> {
    this.#scheduler.terminate(new PoolClosedError('the pool was terminated before this task finished'));
    await this.#scheduler.join();
  }

  /** Counters, worker states and latency percentiles. */
  stats(): PoolStats {
    return this.#scheduler.snapshot();
  }

  /** `await using pool = new Pool()`: closes the pool and waits for its work and workers. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.join();
  }

  #task(fn: AnyFunction): ScheduledTask {
    let task = this.#tasks.get(fn);
    if (task === undefined) {
      task = this.#scheduler.task(taskSpecOf(fn));
      this.#tasks.set(fn, task);
    }
    return task;
  }

  #apply(
    fn: AnyFunction,
    args: readonly unknown[],
    options: ApplyOptions | undefined,
    accepts: { readonly method: string; readonly options: readonly string[] },
  ): ApplyCall {
    return new ApplyCall(this.#scheduler, () => this.#task(fn), args, options, accepts);
  }

  /** map, starmap and their Async forms: the input read whole, as Python does, then streamed in order. */
  #collect(
    fn: AnyFunction,
    items: Iterable<unknown> | AsyncIterable<unknown>,
    spread: boolean,
    method: string,
    options: MapOptions | undefined,
    allowedOptions: readonly string[] = MAP_OPTIONS,
  ): MapCall {
    return new MapCall({
      scheduler: this.#scheduler,
      resolveTask: (task) => this.#task(task),
      workers: this.#workers,
      fn,
      items,
      spread,
      method,
      options,
      allowedOptions,
    });
  }

  #stream(
    fn: AnyFunction,
    items: Iterable<unknown> | AsyncIterable<unknown>,
    ordered: boolean,
    method: string,
    options: ImapOptions | undefined,
  ): ResultIterator<unknown> {
    const iterator = new ResultIterator<unknown>();
    try {
      const task = this.#task(fn);
      const refusal = this.#scheduler.refusal(false);
      if (refusal) throw refusal;
      checkOptionNames(method, options, IMAP_OPTIONS);
      const chunkSize = options?.chunkSize ?? 'auto';
      if (chunkSize !== 'auto') requirePositiveInteger(`${method}: chunkSize`, chunkSize);
      const window = options?.maxInFlight ?? Math.max(1024, 256 * this.#workers);
      requirePositiveInteger(`${method}: maxInFlight`, window);
      const call = new StreamCall(
        this.#scheduler,
        {
          task,
          source: items,
          spread: false,
          ordered,
          failFast: false,
          chunkSize,
          window,
          countsTowardQueueLimit: false,
          method,
          signal: options?.signal,
          timeout: options?.timeout,
        },
        iterator,
      );
      iterator.attach(call);
      call.start();
    } catch (error) {
      iterator.fail(error as Error);
    }
    return iterator;
  }
}

/**
 * Checks `callback` and `errorCallback` before anything is submitted, then makes the call's
 * AsyncResult and hands its result to `callback` or its error to `errorCallback`.
 */
function withCallbacks<T>(
  options: AsyncResultCallbacks<T> | undefined,
  method: string,
  start: () => AsyncResult<T>,
): AsyncResult<T> {
  for (const name of ['callback', 'errorCallback'] as const) {
    const value = options?.[name];
    if (value !== undefined && typeof value !== 'function') {
      throw new TypeError(`${method}: option ${name} must be a function, got ${describeValue(value)}`);
    }
  }
  const result = start();
  if (options?.callback || options?.errorCallback) {
    result.then(options.callback, options.errorCallback ?? (() => {}));
  }
  return result;
}
