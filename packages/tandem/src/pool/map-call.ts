/**
 * map, starmap, mapAsync and starmapAsync: read the whole input first (as Python does; an
 * AsyncIterable is collected), then stream it through the pool in chunks and resolve to the
 * results in input order. Rejects on the first failed item.
 */
import type { AnyFunction } from '../tasks.js';
import { checkOptionNames } from '../util/check-options.js';
import type { ScheduledTask } from './job.js';
import { type MapOptions, requirePositiveInteger } from './options.js';
import { ResultCollector } from './result-iterator.js';
import type { Scheduler } from './scheduler.js';
import { StreamCall } from './stream-call.js';

export interface MapCallConfig {
  readonly scheduler: Scheduler;
  readonly resolveTask: (fn: AnyFunction) => ScheduledTask;
  readonly workers: number;
  readonly fn: AnyFunction;
  readonly items: Iterable<unknown> | AsyncIterable<unknown>;
  /** starmap: each item is an argument list. */
  readonly spread: boolean;
  /** For messages and option checks: `map`, `starmapAsync`... */
  readonly method: string;
  readonly options: MapOptions | undefined;
  readonly allowedOptions: readonly string[];
}

export class MapCall {
  readonly promise: Promise<unknown[]>;
  private call: StreamCall | undefined;
  private settled = false;
  private rejectEarly!: (error: Error) => void;

  constructor(private readonly config: MapCallConfig) {
    const early = new Promise<never>((_, reject) => {
      this.rejectEarly = reject;
    });
    this.promise = Promise.race([this.begin(), early]);
    this.promise.then(
      () => this.markSettled(),
      () => this.markSettled(),
    );
  }

  /** Ends the call with `error`: queued chunks are dropped, running ones' workers replaced. False once settled. */
  cancel(error: Error): boolean {
    if (this.settled) return false;
    if (this.call) return this.call.cancel(error);
    // Still collecting an async input: the stream has not begun, so nothing runs yet.
    this.settled = true;
    this.rejectEarly(error);
    return true;
  }

  private markSettled(): void {
    this.settled = true;
  }

  private begin(): Promise<unknown[]> {
    const { scheduler, method, options } = this.config;
    try {
      const task = this.config.resolveTask(this.config.fn);
      const refusal = scheduler.refusal(true);
      if (refusal) throw refusal;
      checkOptionNames(method, options, this.config.allowedOptions);
      if (options?.chunkSize !== undefined) requirePositiveInteger(`${method}: chunkSize`, options.chunkSize);
      const list = materialise(this.config.items, method);
      // Submit synchronously when we can, so work queued before close() is accepted.
      if (Array.isArray(list)) return this.run(task, list);
      return list.then((values) => (this.settled ? [] : this.run(task, values)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private run(task: ScheduledTask, list: unknown[]): Promise<unknown[]> {
    const { scheduler, method, options, workers } = this.config;
    const collector = new ResultCollector();
    const call = new StreamCall(
      scheduler,
      {
        task,
        source: list,
        spread: this.config.spread,
        ordered: true,
        failFast: true,
        chunkSize: options?.chunkSize ?? Math.max(1, Math.ceil(list.length / (4 * workers))),
        window: Number.POSITIVE_INFINITY,
        countsTowardQueueLimit: true,
        method,
        signal: options?.signal,
        timeout: options?.timeout,
      },
      collector,
    );
    collector.call = call;
    this.call = call;
    call.start();
    return collector.done;
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
