/**
 * The Redis backend: a pool whose tasks run in `tandem worker` processes on any host, through
 * a BullMQ queue (redis/worker-host.ts is the other side).
 *
 * Its "workers" are virtual: each is a slot of concurrency on the caller's side. A slot turns
 * every job the scheduler sends it (one task over one chunk of items) into one BullMQ job and
 * reports the job's outcome as a `results` message, so chunking, ordering, imap's laziness,
 * timeouts and cancellation stay the scheduler's, exactly as on threads. The number of slots
 * (the pool's `workers`) bounds the jobs in Redis at once; the worker hosts' concurrency
 * bounds how many run.
 *
 * Failure mapping:
 * - a task's error comes back as a result: TaskError, as on threads;
 * - BullMQ giving up on a job (it stalled too often, its attempts ran out): TaskError with
 *   remoteName 'JobFailedError';
 * - Redis lost or unreachable: the slot dies with a RedisConnectionError, so the job rejects
 *   with WorkerExitError whose cause is that error; the next call connects again;
 * - stop() (a timeout, an abort, terminate): the slot's waiting jobs are removed from Redis
 *   and its active ones cancelled (see redis/worker-host.ts for what that can mean).
 */
import { randomBytes } from 'node:crypto';
import type { TransferListItem } from 'node:worker_threads';
import type { JobMessage, JobResultMessage, MainToWorker, TaskSpec, WorkerStartData } from '../protocol.js';
import { encodeArgs, type RedisJobData } from '../redis/job-data.js';
import { moduleRelativeToRoot } from '../redis/module-path.js';
import { type AddOptions, RedisSession } from '../redis/session.js';
import { serializeError } from '../util/remote-error.js';
import type { StopSignal, WorkerBackend, WorkerHandle, WorkerListener } from './backend.js';

/** What `backend: 'redis'` needs, from the Pool's options. */
export interface RedisBackendOptions {
  /** redis:// or rediss:// URL; credentials in it are never printed. */
  readonly connection: string;
  /** BullMQ queue name; the workers run with the same --queue. */
  readonly queue: string;
  /** Task modules are sent as paths relative to this directory. */
  readonly root: string;
  /** BullMQ attempts per job (worker-side failures only; a task's own error is a result). */
  readonly attempts: number;
  readonly backoff: AddOptions['backoff'];
  /** ms to connect to Redis before a call rejects. */
  readonly connectTimeout: number;
  /**
   * Whether worker hosts report when each job's task starts (the pool has a taskTimeout,
   * which runs from that moment); one more Redis write per job, so only when timed.
   */
  readonly reportStarts: boolean;
}

/** How long the pool stays connected with nothing to do, so a forgotten pool lets the program exit. */
const IDLE_DISCONNECT_MS = 250;
const SIGNAL_CODES: Record<StopSignal, number> = { SIGTERM: -15, SIGKILL: -9 };

export class RedisBackend implements WorkerBackend {
  readonly kind = 'redis';
  readonly maxWorkers = Number.POSITIVE_INFINITY;
  /**
   * One job in Redis per slot: `workers` is the bound the user set. (Measured with tiny jobs:
   * 64 slots of one job ran as fast as plain BullMQ; 16 slots of up to 256 jobs each, 10-15%
   * slower, the caller holding thousands of jobs' state in flight.)
   */
  readonly adaptivePipeline = false;
  /** Every job id of this pool starts with it, so its jobs can be told from others in the queue. */
  readonly jobPrefix = `tandem-${randomBytes(6).toString('hex')}`;
  private nextJobNumber = 1;
  private session: RedisSession | undefined;
  private readonly slots = new Set<RedisSlot>();
  private readonly busySlots = new Set<RedisSlot>();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(readonly options: RedisBackendOptions) {}

  /** Refuses, before anything is sent, a task that Redis workers cannot import. */
  checkTask(spec: TaskSpec): void {
    if (spec.kind === 'inline') {
      throw new TypeError(
        `the redis backend cannot run inline functions (${spec.name}): workers on other hosts import tasks by module path. ` +
          `Register the function with defineTasks(import.meta.url, { ... }) in a module under the pool's root (${this.options.root})`,
      );
    }
    moduleRelativeToRoot(spec.moduleUrl, this.options.root, spec.name);
  }

  spawn(_start: WorkerStartData, listener: WorkerListener): WorkerHandle {
    const slot = new RedisSlot(this, listener);
    this.slots.add(slot);
    setImmediate(() => slot.alive && listener.onMessage({ type: 'ready' }));
    return slot;
  }

  /** A new job id of this pool (BullMQ refuses ':' and all-digit ids). */
  newJobId(): string {
    return `${this.jobPrefix}-${this.nextJobNumber++}`;
  }

  /** The open session, or a new one. */
  currentSession(): RedisSession {
    if (this.session?.alive) return this.session;
    const session = new RedisSession(
      { connection: this.options.connection, queue: this.options.queue, connectTimeout: this.options.connectTimeout },
      (lost, error) => {
        if (this.session === lost) this.session = undefined;
        for (const slot of this.slots) slot.lostRedis(error);
      },
    );
    this.session = session;
    return session;
  }

  /** The open session, if any (nothing to cancel without one: a lost session's jobs are gone with it). */
  currentSessionIfOpen(): RedisSession | undefined {
    return this.session?.alive ? this.session : undefined;
  }

  setBusy(slot: RedisSlot, busy: boolean): void {
    if (busy) {
      this.busySlots.add(slot);
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
      return;
    }
    this.busySlots.delete(slot);
    if (this.busySlots.size > 0 || this.session === undefined || this.idleTimer) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.busySlots.size > 0 || this.session === undefined || this.session.pending > 0) return;
      this.session.close();
      this.session = undefined;
    }, IDLE_DISCONNECT_MS);
  }

  slotGone(slot: RedisSlot): void {
    this.slots.delete(slot);
    this.setBusy(slot, false);
    // The pool closed or terminated: disconnect now rather than after the idle delay.
    if (this.slots.size === 0 && this.session !== undefined && this.session.pending === 0) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
      this.session.close();
      this.session = undefined;
    }
  }
}

/** A job ready for Redis, or one refused before it could be sent (its call rejects with the reason). */
type EncodedJob =
  | {
      readonly job: JobMessage;
      readonly task: { readonly module: string; readonly name: string };
      readonly items: Pick<RedisJobData, 'args' | 'items'>;
    }
  | { readonly job: JobMessage; readonly refused: unknown };

interface HeldJob {
  readonly redisId: string;
  startedAtMs: number | undefined;
}

/** One virtual worker: the main side's handle on a slot of concurrency in Redis. */
class RedisSlot implements WorkerHandle {
  readonly pid = process.pid;
  readonly threadId = undefined;
  alive = true;
  private closing = false;
  /** Each task key's module path relative to the root, or why it cannot be sent. */
  private readonly modules = new Map<number, { module: string; name: string } | { refused: unknown }>();
  private readonly held = new Map<number, HeldJob>();
  /** The job this slot was waiting for when Redis was lost: the one the scheduler rejects. */
  private lostJob: number | undefined;

  constructor(
    private readonly backend: RedisBackend,
    private readonly listener: WorkerListener,
  ) {}

  send(message: MainToWorker, _transfer: readonly TransferListItem[]): void {
    if (!this.alive) return;
    if (message.type === 'close') {
      this.closing = true;
      this.exitIfDone();
    } else if (message.type === 'run') {
      for (const define of message.defines ?? []) {
        const spec = define.spec;
        // The pool's checkTask refuses these before they get here; should one slip through,
        // its jobs fail with the reason rather than throwing out of the scheduler's send.
        try {
          if (spec.kind !== 'module') this.backend.checkTask(spec);
          else {
            const module = moduleRelativeToRoot(spec.moduleUrl, this.backend.options.root, spec.name);
            this.modules.set(define.key, { module, name: spec.name });
          }
        } catch (refused) {
          this.modules.set(define.key, { refused });
        }
      }
      const encoded = message.jobs.map((job) => this.encode(job));
      for (const job of encoded) this.submit(job);
    }
  }

  runningJobIds(): number[] {
    if (this.lostJob !== undefined) return [this.lostJob];
    return [...this.held].filter(([, held]) => held.startedAtMs !== undefined).map(([id]) => id);
  }

  jobStartedAtMs(id: number): number | undefined {
    return this.held.get(id)?.startedAtMs;
  }

  /** A timeout or an abort: only this job leaves Redis; the slot's other jobs go on. */
  cancelJob(id: number): boolean {
    const held = this.held.get(id);
    if (!this.alive || held === undefined) return true;
    this.held.delete(id);
    void this.backend.currentSessionIfOpen()?.cancel(held.redisId);
    this.exitIfDone();
    return true;
  }

  stop(signal: StopSignal): void {
    this.end(SIGNAL_CODES[signal]);
  }

  setKeepsParentAlive(keep: boolean): void {
    // Open Redis connections keep the program alive while busy; the backend drops them when idle.
    if (this.alive) this.backend.setBusy(this, keep);
  }

  /** Redis was lost: if this slot waited for a job, it dies, and the scheduler rejects that job. */
  lostRedis(error: Error): void {
    if (!this.alive || this.held.size === 0) return;
    this.lostJob = this.held.keys().next().value;
    this.listener.onError(error);
    this.end(1);
  }

  /**
   * What `job` sends to Redis, or why it cannot be sent. Throws, before anything of the
   * message is sent, when an argument cannot be encoded (the scheduler then sends the jobs
   * one by one and rejects only the one that cannot go).
   */
  private encode(job: JobMessage): EncodedJob {
    const task = this.modules.get(job.taskKey);
    if (task === undefined) throw new Error(`internal: task key ${job.taskKey} was never defined for this slot`);
    if ('refused' in task) return { job, refused: task.refused };
    if (job.shared) {
      return { job, refused: new TypeError('shared objects (Value, Queue, Lock...) cannot travel to Redis workers') };
    }
    return { job, task, items: encodeArgs(job.items as unknown[][]) };
  }

  private submit(encoded: EncodedJob): void {
    const job = encoded.job;
    if ('refused' in encoded) {
      this.fail(job.id, encoded.refused);
      return;
    }
    const { task, items } = encoded;
    const redisId = this.backend.newJobId();
    const held: HeldJob = { redisId, startedAtMs: undefined };
    this.held.set(job.id, held);
    const data: RedisJobData = this.backend.options.reportStarts
      ? { v: 1, module: task.module, name: task.name, ...items, reportStart: true }
      : { v: 1, module: task.module, name: task.name, ...items };
    const session = this.backend.currentSession();
    session
      .add(redisId, data, this.backend.options, {
        resolve: (result) => this.deliver({ id: job.id, ...result }),
        reject: () => {}, // the session reports its loss to every slot (lostRedis)
        started: () => {
          held.startedAtMs ??= Date.now();
        },
      })
      .catch((error: Error) => {
        if (this.held.get(job.id) !== held) return;
        // Redis refused the job (it is unreachable): this slot dies with it.
        this.lostJob = job.id;
        this.listener.onError(error);
        this.end(1);
      });
  }

  /** A job that could not be sent fails as its task would: with a TaskError. */
  private fail(jobId: number, error: unknown): void {
    queueMicrotask(() =>
      this.deliver({ id: jobId, values: [], error: serializeError(error), runMicros: 0 }, /* unsent */ true),
    );
  }

  private deliver(result: JobResultMessage, unsent = false): void {
    if (!this.alive || (!this.held.delete(result.id) && !unsent)) return;
    this.listener.onMessage({ type: 'results', results: [result] });
    this.exitIfDone();
  }

  private exitIfDone(): void {
    if (this.closing && this.held.size === 0) this.end(0);
  }

  private end(exitCode: number): void {
    if (!this.alive) return;
    this.alive = false;
    // Exit once this slot's jobs are out of Redis, so terminate() and join() leave none behind.
    const session = this.backend.currentSessionIfOpen();
    const cancels = [...this.held.values()].map((held) => session?.cancel(held.redisId));
    this.held.clear();
    this.backend.slotGone(this);
    void Promise.allSettled(cancels).then(() => setImmediate(() => this.listener.onExit(exitCode)));
  }
}
