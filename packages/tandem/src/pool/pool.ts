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
import {
  APPLY_ASYNC_OPTIONS,
  APPLY_OPTIONS,
  type ApplyOptions,
  IMAP_OPTIONS,
  type ImapOptions,
  MAP_OPTIONS,
  type MapOptions,
  type PoolOptions,
  requirePositiveInteger,
  resolvePoolOptions,
} from './options.js';
import { ResultCollector, ResultIterator } from './result-iterator.js';
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
    options?: ApplyOptions & {
      /** Called with the result, as Python's `callback`. */
      callback?: (value: Result<F>) => void;
      /** Called with the error, as Python's `error_callback`. */
      errorCallback?: (error: unknown) => void;
    },
  ): AsyncResult<Result<F>> {
    const call = this.#apply(task, args, options, { method: 'applyAsync', options: APPLY_ASYNC_OPTIONS });
    const result = new AsyncResult(call.promise as Promise<Result<F>>, (error) => call.cancel(error));
    if (options?.callback !== undefined && typeof options.callback !== 'function') {
      throw new TypeError(`applyAsync: option callback must be a function, got ${describeValue(options.callback)}`);
    }
    if (options?.errorCallback !== undefined && typeof options.errorCallback !== 'function') {
      throw new TypeError(
        `applyAsync: option errorCallback must be a function, got ${describeValue(options.errorCallback)}`,
      );
    }
    if (options?.callback || options?.errorCallback) {
      result.then(options.callback, options.errorCallback ?? (() => {}));
    }
    return result;
  }

  /** Applies `task` to every item; resolves to the results in input order. Rejects on the first failure. */
  map<T, R>(task: (item: T) => R, items: Iterable<T> | AsyncIterable<T>, options?: MapOptions): Promise<Awaited<R>[]> {
    return this.#collect(task, items, false, 'map', options) as Promise<Awaited<R>[]>;
  }

  /** Like map, but each item is an argument list: `task(...item)`. */
  starmap<F extends AnyFunction>(
    task: F,
    items: Iterable<Parameters<F>> | AsyncIterable<Parameters<F>>,
    options?: MapOptions,
  ): Promise<Result<F>[]> {
    return this.#collect(task, items, true, 'starmap', options) as Promise<Result<F>[]>;
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

  /** map and starmap: materialise the input as Python does, then stream it in order. */
  #collect(
    fn: AnyFunction,
    items: Iterable<unknown> | AsyncIterable<unknown>,
    spread: boolean,
    method: string,
    options: MapOptions | undefined,
  ): Promise<unknown[]> {
    try {
      const task = this.#task(fn);
      const refusal = this.#scheduler.refusal(true);
      if (refusal) throw refusal;
      checkOptionNames(method, options, MAP_OPTIONS);
      if (options?.chunkSize !== undefined) requirePositiveInteger(`${method}: chunkSize`, options.chunkSize);
      const list = materialise(items, method);
      // Submit synchronously when we can, so work queued before close() is accepted.
      if (Array.isArray(list)) return this.#mapList(task, list, spread, method, options);
      return list.then((values) => this.#mapList(task, values, spread, method, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #mapList(
    task: ScheduledTask,
    list: unknown[],
    spread: boolean,
    method: string,
    options: MapOptions | undefined,
  ): Promise<unknown[]> {
    const collector = new ResultCollector();
    const call = new StreamCall(
      this.#scheduler,
      {
        task,
        source: list,
        spread,
        ordered: true,
        failFast: true,
        chunkSize: options?.chunkSize ?? Math.max(1, Math.ceil(list.length / (4 * this.#workers))),
        window: Number.POSITIVE_INFINITY,
        countsTowardQueueLimit: true,
        method,
        signal: options?.signal,
        timeout: options?.timeout,
      },
      collector,
    );
    collector.call = call;
    call.start();
    return collector.done;
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

function materialise(
  items: Iterable<unknown> | AsyncIterable<unknown>,
  method: string,
): unknown[] | Promise<unknown[]> {
  if (Array.isArray(items)) return items;
  const source = items as Partial<Iterable<unknown> & AsyncIterable<unknown>>;
  if (typeof source?.[Symbol.iterator] === 'function') return Array.from(source as Iterable<unknown>);
  if (typeof source?.[Symbol.asyncIterator] === 'function') return collectAsync(source as AsyncIterable<unknown>);
  throw new TypeError(`${method}: the input must be an Iterable or AsyncIterable`);
}

async function collectAsync(source: AsyncIterable<unknown>): Promise<unknown[]> {
  const list: unknown[] = [];
  for await (const item of source) list.push(item);
  return list;
}
