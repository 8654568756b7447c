/**
 * The caller's connection to one BullMQ queue: a Queue to add and remove jobs, and a
 * QueueEvents reader whose completed/failed events settle them. One session per pool at a
 * time; it is opened on the first job and closed when the pool goes idle or Redis is lost.
 *
 * Connections never retry in the background: ioredis would retry (and queue commands)
 * forever, and a caller would wait forever. Here a lost connection ends the session at once,
 * every job it was waiting for rejects with RedisConnectionError, and the next call opens a
 * new session, which works again as soon as Redis is back.
 *
 * No completion is missed: the events stream is read from its last entry *before* the
 * first job is added (an explicit lastEventId, not '$', which would be resolved only when
 * the first blocking read runs).
 */
import type { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { RedisConnectionError } from '../errors.js';
import { AddBatcher } from './add-batcher.js';
import {
  BULL_PREFIX,
  cancelChannel,
  decodeResult,
  type RedisJobData,
  type RedisJobResult,
  STARTED_PROGRESS,
  TANDEM_JOB_NAME,
} from './job-data.js';
import { importRedisPackages } from './packages.js';
import { redactUrl, scrubSecrets } from './url.js';

export interface RedisSessionOptions {
  readonly connection: string;
  readonly queue: string;
  /** ms to connect before calls reject. */
  readonly connectTimeout: number;
}

export interface JobWaiter {
  resolve(result: RedisJobResult): void;
  reject(error: Error): void;
  /** The job's task started on a worker host (reported only for jobs with `reportStart`). */
  started(): void;
}

export interface AddOptions {
  readonly attempts: number;
  readonly backoff: { readonly type: 'fixed' | 'exponential'; readonly delay: number } | undefined;
}

export class RedisSession {
  private queue: Queue | undefined;
  private events: QueueEvents | undefined;
  private readonly clients: Redis[] = [];
  private commands: Redis | undefined;
  private batcher: AddBatcher | undefined;
  /** This session's jobs in Redis that no worker has taken yet. */
  private readonly waitingIds = new Set<string>();
  /** Removals under way: a graceful close waits for them, so no job of the pool is left behind. */
  private readonly cancelling = new Set<Promise<void>>();
  /**
   * Adds not yet settled, each resolving to whether the job reached Redis. A job cancelled
   * meanwhile (a short timeout while the session still connects, on a busy machine) is either
   * never sent or removed once it is there: never left waiting for a worker to run it anyway.
   */
  private readonly adding = new Map<string, Promise<boolean>>();
  /** Jobs cancelled while their add was under way. */
  private readonly cancelledWhileAdding = new Set<string>();
  private readonly waiters = new Map<string, JobWaiter>();
  private ended = false;
  /** Resolves when the session can add jobs; rejects with RedisConnectionError. */
  readonly ready: Promise<void>;

  constructor(
    private readonly options: RedisSessionOptions,
    private readonly onLost: (session: RedisSession, error: RedisConnectionError) => void,
  ) {
    this.ready = this.open();
    this.ready.catch(() => {}); // reported to each job that awaits it
  }

  get alive(): boolean {
    return !this.ended;
  }

  /** Adds a job and calls `waiter` back when it settles. Rejects only if the add failed. */
  add(jobId: string, data: RedisJobData, options: AddOptions, waiter: JobWaiter): Promise<void> {
    const adding = this.addJob(jobId, data, options, waiter);
    this.adding.set(jobId, adding);
    const settled = () => {
      this.adding.delete(jobId);
      this.cancelledWhileAdding.delete(jobId);
    };
    adding.then(settled, settled);
    return adding.then(() => {});
  }

  private async addJob(jobId: string, data: RedisJobData, options: AddOptions, waiter: JobWaiter): Promise<boolean> {
    await this.ready;
    if (this.cancelledWhileAdding.has(jobId)) return false;
    if (this.ended || this.queue === undefined) throw this.lostError('the connection was closed');
    this.waiters.set(jobId, waiter);
    try {
      await this.batcherFor(this.queue).add({
        name: TANDEM_JOB_NAME,
        data,
        opts: {
          jobId,
          removeOnComplete: true,
          removeOnFail: true,
          attempts: options.attempts,
          ...(options.backoff ? { backoff: options.backoff } : {}),
        },
      });
      return true;
    } catch (error) {
      this.waiters.delete(jobId);
      throw this.lostError('adding a job failed', error);
    }
  }

  /**
   * Jobs go to Redis in batches, one addBulk (one round trip) each (redis/add-batcher.ts). Redis
   * "runs low" when fewer than a quarter of the jobs this session waits for are waiting there.
   */
  private batcherFor(queue: Queue): AddBatcher {
    this.batcher ??= new AddBatcher(
      async (jobs) => {
        for (const job of jobs) this.waitingIds.add(job.opts?.jobId as string);
        await queue.addBulk(jobs);
      },
      () => this.waitingIds.size < Math.max(1, this.waiters.size / 4),
    );
    return this.batcher;
  }

  /** A job left the waiting state (taken by a worker, finished, or withdrawn). */
  private leftWaiting(jobId: string): void {
    if (this.waitingIds.delete(jobId)) this.batcher?.nudge();
  }

  /**
   * Forgets a job: removes it if it still waits; if a worker holds it, asks the workers to
   * stop it (it ends after its current item, and BullMQ then deletes it).
   */
  cancel(jobId: string): Promise<void> {
    this.waiters.delete(jobId);
    this.leftWaiting(jobId);
    const adding = this.adding.get(jobId);
    if (adding !== undefined) {
      this.cancelledWhileAdding.add(jobId);
      // Still in the batch not yet sent: it never goes. Else it is removed once it is in Redis.
      if (this.batcher?.withdraw(jobId)) return Promise.resolve();
      return this.track(
        adding.then(
          (reached) => (reached ? this.removeOrStop(jobId) : undefined),
          () => {}, // not added: nothing to remove
        ),
      );
    }
    if (this.ended) return Promise.resolve();
    return this.track(this.removeOrStop(jobId));
  }

  private track(cancelling: Promise<void>): Promise<void> {
    this.cancelling.add(cancelling);
    return cancelling.finally(() => this.cancelling.delete(cancelling));
  }

  private async removeOrStop(jobId: string): Promise<void> {
    // Not `ended`: a graceful close waits for the removals it tracks before closing the queue,
    // and a job whose add was still under way when the pool closed must go too.
    const queue = this.queue;
    if (queue === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.connectTimeout);
    });
    try {
      await Promise.race([this.removeOrPublish(queue, jobId), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async removeOrPublish(queue: Queue, jobId: string): Promise<void> {
    try {
      const removed = await queue.remove(jobId);
      if (removed === 0 && this.commands) {
        await this.commands.publish(cancelChannel(this.options.queue), jobId);
      }
    } catch {
      // Redis is gone: the session ends and the job, if it still exists, is removed once done.
    }
  }

  /** How many jobs this session still waits for. */
  get pending(): number {
    return this.waiters.size;
  }

  /** Closes the connections; jobs still awaited reject with `reason`. */
  close(reason?: RedisConnectionError): void {
    if (this.ended) return;
    this.ended = true;
    this.batcher?.abandon(reason ?? this.lostError('the pool closed its connection'));
    const waiters = [...this.waiters.values()];
    this.waiters.clear();
    for (const waiter of waiters) waiter.reject(reason ?? this.lostError('the pool closed its connection'));
    const queue = this.queue;
    const events = this.events;
    void Promise.allSettled([...this.cancelling])
      .then(() => Promise.allSettled([queue?.close(), events?.close()]))
      .then(() => {
        for (const client of this.clients) client.disconnect();
      });
    // Do not wait for a graceful close if Redis is unreachable.
    if (reason) for (const client of this.clients) client.disconnect();
  }

  private async open(): Promise<void> {
    const [{ Queue, QueueEvents }, { Redis }] = await importRedisPackages(() =>
      Promise.all([import('bullmq'), import('ioredis')]),
    );
    const { connection, queue: name, connectTimeout } = this.options;
    const client = (blocking: boolean): Redis => {
      const redis = new Redis(connection, {
        // Fail fast instead of queueing commands and retrying forever.
        retryStrategy: () => null,
        enableOfflineQueue: blocking,
        maxRetriesPerRequest: blocking ? null : 1,
        connectTimeout,
        lazyConnect: true,
      });
      redis.on('error', () => {}); // surfaced through 'end' and the failing command
      redis.on('end', () => this.lose('the connection was closed'));
      this.clients.push(redis);
      return redis;
    };
    const commands = client(false);
    this.commands = commands;
    const blocking = client(true);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.lostError(`no connection within ${connectTimeout} ms`)), connectTimeout);
    });
    try {
      await Promise.race([Promise.all([commands.connect(), blocking.connect()]), deadline]);
      const queue = new Queue(name, { connection: commands, prefix: BULL_PREFIX });
      queue.on('error', () => {});
      this.queue = queue;
      await Promise.race([queue.waitUntilReady(), deadline]);
      const last = (await Promise.race([
        commands.xrevrange(`${BULL_PREFIX}:${name}:events`, '+', '-', 'COUNT', 1),
        deadline,
      ])) as [string, string[]][];
      const events = new QueueEvents(name, {
        connection: blocking,
        prefix: BULL_PREFIX,
        lastEventId: last[0]?.[0] ?? '0-0',
        blockingTimeout: 5000,
      });
      events.on('error', () => {});
      events.on('active', ({ jobId }) => this.leftWaiting(jobId));
      events.on('progress', ({ jobId, data }) => {
        if (data === STARTED_PROGRESS) this.waiters.get(jobId)?.started();
      });
      events.on('completed', ({ jobId, returnvalue }) => {
        const waiter = this.take(jobId);
        if (waiter === undefined) return;
        try {
          waiter.resolve(decodeResult(returnvalue));
        } catch (error) {
          waiter.reject(new Error(`could not read the result of job ${jobId}: ${(error as Error).message}`));
        }
      });
      events.on('failed', ({ jobId, failedReason }) => {
        this.take(jobId)?.resolve({
          values: [],
          error: { name: 'JobFailedError', message: `BullMQ failed the job: ${failedReason}`, stack: undefined },
          runMicros: 0,
        });
      });
      this.events = events;
      await Promise.race([events.waitUntilReady(), deadline]);
      if (this.ended) throw this.lostError('the connection was closed');
    } catch (error) {
      const lost = error instanceof RedisConnectionError ? error : this.lostError('could not connect', error);
      this.lose(lost);
      throw lost;
    } finally {
      clearTimeout(timer);
    }
  }

  private take(jobId: string): JobWaiter | undefined {
    this.leftWaiting(jobId);
    const waiter = this.waiters.get(jobId);
    if (waiter) this.waiters.delete(jobId);
    return waiter;
  }

  private lose(reason: string | RedisConnectionError): void {
    if (this.ended) return;
    const error = typeof reason === 'string' ? this.lostError(reason) : reason;
    this.close(error);
    this.onLost(this, error);
  }

  private lostError(what: string, cause?: unknown): RedisConnectionError {
    const { connection, queue } = this.options;
    const detail =
      cause === undefined ? '' : `: ${scrubSecrets(String((cause as Error)?.message ?? cause), connection)}`;
    return new RedisConnectionError(
      `Redis at ${redactUrl(connection)} (queue ${queue}): ${what}${detail}. ` +
        'Check that Redis is running and reachable; the pool connects again on its next call',
    );
  }
}
