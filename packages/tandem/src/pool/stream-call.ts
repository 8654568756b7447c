/**
 * map, starmap, imap and imapUnordered: pull items from a source lazily, cut them into
 * chunks, keep at most `window` items between the source and the consumer, and hand
 * results to a sink in input order or completion order.
 */
import { AbortError, TimeoutError } from '../errors.js';
import { CallGuard, type CancelOptions } from './call-guard.js';
import type { Job, JobOutcome, JobOwner, ScheduledTask } from './job.js';
import type { Scheduler } from './scheduler.js';

/** Where a stream's results go. */
export interface StreamSink {
  /** Results of consecutive items (in input order when the stream is ordered). */
  push(values: unknown[]): void;
  fail(error: Error): void;
  end(): void;
}

export interface StreamConfig extends CancelOptions {
  readonly task: ScheduledTask;
  /** The input: items, or argument lists when `spread` (starmap). */
  readonly source: Iterable<unknown> | AsyncIterable<unknown>;
  readonly spread: boolean;
  readonly ordered: boolean;
  /** Reject as soon as any chunk fails (map), rather than at its position (imap). */
  readonly failFast: boolean;
  readonly chunkSize: number | 'auto';
  /** Most items pulled from the source and not yet consumed. */
  readonly window: number;
  /** Whether chunks count toward the pool's maxQueue. */
  readonly countsTowardQueueLimit: boolean;
  /** For messages: `map`, `imap`... */
  readonly method: string;
}

/** With auto chunking, aim for chunks that take about this long to run. */
const AUTO_CHUNK_TARGET_MICROS = 2000;

const NOT_READY = Symbol('not ready');

export class StreamCall implements JobOwner {
  private readonly syncSource: Iterator<unknown> | undefined;
  private readonly asyncSource: AsyncIterator<unknown> | undefined;
  private readonly guard: CallGuard | undefined;
  private readonly live = new Set<Job>();
  /** Ordered streams: outcomes that arrived before an earlier chunk's. */
  private readonly early = new Map<number, { job: Job; outcome: JobOutcome }>();
  private nextToDeliver = 0;
  private pulled = 0;
  private unconsumed = 0;
  private sourceDone = false;
  /** What the source threw (or why its item was refused): the stream's end, once every item before it is delivered. */
  private sourceError: Error | undefined;
  private pulling = false;
  private stopped = false;
  /** Ordered streams: index of a failed item found ahead of delivery. */
  private failedAt = Number.POSITIVE_INFINITY;
  private autoSize = 1;
  private perItemMicros = 0;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly config: StreamConfig,
    private readonly sink: StreamSink,
  ) {
    const source = config.source as Partial<Iterable<unknown> & AsyncIterable<unknown>>;
    const syncFactory = source?.[Symbol.iterator];
    const asyncFactory = source?.[Symbol.asyncIterator];
    if (typeof syncFactory === 'function') this.syncSource = syncFactory.call(source);
    else if (typeof asyncFactory === 'function') this.asyncSource = asyncFactory.call(source);
    else throw new TypeError(`${config.method}: the input must be an Iterable or AsyncIterable`);
    this.guard = CallGuard.create(config, (error) => this.fail(error), `${config.method}(${config.task.name})`);
    scheduler.streamStarted();
  }

  start(): void {
    this.pump();
  }

  /** The consumer took `count` items: room for more. */
  release(count: number): void {
    this.unconsumed -= count;
    this.pump();
  }

  /** The consumer walked away: stop pulling and drop queued work (running work finishes). */
  stop(): void {
    if (this.stopped) return;
    this.markStopped();
    this.withdrawAll(false);
    this.closeSource();
  }

  jobSettled(job: Job, outcome: JobOutcome, runMicros: number | undefined): void {
    this.live.delete(job);
    if (this.stopped) return;
    if (runMicros !== undefined && outcome.ok) this.learnChunkSize(runMicros / job.items.length);
    if (!outcome.ok && this.config.failFast) {
      this.fail(outcome.error);
      return;
    }
    if (this.config.ordered && job.firstIndex !== this.nextToDeliver) {
      this.early.set(job.firstIndex, { job, outcome });
      if (!outcome.ok) this.stopFeedingAfter(job.firstIndex);
      return;
    }
    this.deliver(job, outcome);
    for (
      let next = this.early.get(this.nextToDeliver);
      next && !this.stopped;
      next = this.early.get(this.nextToDeliver)
    ) {
      this.early.delete(this.nextToDeliver);
      this.deliver(next.job, next.outcome);
    }
    this.pump();
  }

  private deliver(job: Job, outcome: JobOutcome): void {
    this.nextToDeliver = job.firstIndex + job.items.length;
    if (outcome.values.length > 0) this.sink.push(outcome.values);
    if (!outcome.ok) this.fail(outcome.error);
  }

  private fail(error: Error): void {
    if (this.stopped) return;
    this.markStopped();
    this.withdrawAll(error instanceof AbortError || error instanceof TimeoutError);
    this.closeSource();
    this.sink.fail(error);
  }

  private markStopped(): void {
    this.stopped = true;
    this.guard?.dispose();
    this.scheduler.streamEnded();
  }

  /** An ordered stream saw item `index` fail: nothing after it will be delivered. */
  private stopFeedingAfter(index: number): void {
    this.failedAt = Math.min(this.failedAt, index);
    for (const job of this.live) {
      if (job.firstIndex > this.failedAt) {
        this.live.delete(job);
        this.scheduler.withdraw(job, false);
      }
    }
  }

  private withdrawAll(stopRunning: boolean): void {
    for (const job of this.live) this.scheduler.withdraw(job, stopRunning);
    this.live.clear();
    this.early.clear();
  }

  private closeSource(): void {
    try {
      if (this.syncSource?.return) this.syncSource.return();
      else if (this.asyncSource?.return) this.asyncSource.return().catch(() => {});
    } catch {
      // A source that fails while closing has nothing more to give; the call already ended.
    }
  }

  private maybeEnd(): void {
    if (this.stopped || !this.sourceDone || this.pulling || this.live.size > 0 || this.early.size > 0) return;
    if (this.sourceError) {
      this.fail(this.sourceError);
      return;
    }
    this.markStopped();
    this.sink.end();
  }

  /**
   * The source threw while giving item `this.pulled + items.length` (or gave an item that is
   * not an argument list): the items pulled before it still run and are delivered, then the
   * stream fails with that error, as Python's imap does. map fails at once.
   */
  private sourceFailed(error: unknown, items: unknown[][]): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    if (this.config.failFast) {
      this.fail(failure);
      return;
    }
    this.sourceDone = true;
    this.sourceError = failure;
    if (items.length > 0) this.submit(items);
  }

  private pump(): void {
    while (!this.stopped && !this.sourceDone && !this.pulling && this.pulled < this.failedAt) {
      const room = this.config.window - this.unconsumed;
      const size = this.chunkSize();
      // Refill in whole chunks: topping up one item at a time would make 1-item jobs.
      if (room < size && this.unconsumed > 0) break;
      const take = Math.max(1, Math.min(size, room));
      if (this.autoSize <= size) this.autoSize = size * 2;
      if (this.syncSource) this.pullSync(this.syncSource, take);
      else if (this.asyncSource) {
        void this.pullAsync(this.asyncSource, take);
        return;
      }
    }
    this.maybeEnd();
  }

  private pullSync(source: Iterator<unknown>, size: number): void {
    const items: unknown[][] = [];
    try {
      while (items.length < size) {
        const next = source.next();
        if (next.done) {
          this.sourceDone = true;
          break;
        }
        items.push(this.toArgs(next.value, this.pulled + items.length));
      }
    } catch (error) {
      this.sourceFailed(error, items);
      return;
    }
    if (items.length > 0) this.submit(items);
  }

  private async pullAsync(source: AsyncIterator<unknown>, size: number): Promise<void> {
    this.pulling = true;
    let items: unknown[][] = [];
    try {
      while (items.length < size && !this.stopped) {
        const pending = source.next();
        let next: IteratorResult<unknown> | typeof NOT_READY = await (items.length === 0
          ? pending
          : Promise.race([pending, afterIO()]));
        if (next === NOT_READY) {
          // The source is slow: send what we have rather than hold it back.
          this.submit(items);
          items = [];
          next = await pending;
        }
        if (next.done) {
          this.sourceDone = true;
          break;
        }
        items.push(this.toArgs(next.value, this.pulled + items.length));
      }
    } catch (error) {
      this.pulling = false;
      if (this.stopped) return;
      this.sourceFailed(error, items);
      this.pump();
      return;
    }
    this.pulling = false;
    if (this.stopped) return;
    if (items.length > 0) this.submit(items);
    this.pump();
  }

  private toArgs(item: unknown, index: number): unknown[] {
    if (!this.config.spread) return [item];
    if (Array.isArray(item)) return item;
    throw new TypeError(`${this.config.method}: item ${index} is not an array of arguments`);
  }

  private submit(items: unknown[][]): void {
    if (this.stopped) return;
    const refusal = this.scheduler.refusal(this.config.countsTowardQueueLimit, true);
    if (refusal) {
      this.fail(refusal);
      return;
    }
    const job = this.scheduler.submit(this.config.task, items, this.pulled, this);
    this.pulled += items.length;
    this.unconsumed += items.length;
    this.live.add(job);
  }

  private chunkSize(): number {
    if (this.config.chunkSize !== 'auto') return this.config.chunkSize;
    const cap = Math.max(1, Math.floor(this.config.window / (4 * this.scheduler.workerCount)));
    // No measurement yet: grow geometrically from 1 (pump doubles autoSize per chunk) so
    // slow tasks are never lumped together.
    if (this.perItemMicros === 0) return Math.min(this.autoSize, cap);
    return Math.max(1, Math.min(cap, Math.round(AUTO_CHUNK_TARGET_MICROS / this.perItemMicros)));
  }

  private learnChunkSize(micros: number): void {
    const perItem = Math.max(micros, 0.05);
    this.perItemMicros = this.perItemMicros === 0 ? perItem : this.perItemMicros * 0.8 + perItem * 0.2;
  }
}

function afterIO(): Promise<typeof NOT_READY> {
  return new Promise((resolve) => setImmediate(resolve, NOT_READY));
}
