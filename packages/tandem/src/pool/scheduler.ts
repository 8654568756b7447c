/**
 * The scheduler: one FIFO of jobs, a set of workers, and the rules that match them.
 *
 * - Dispatch takes jobs in order and places each (placement.ts); what one turn assigns to a
 *   worker goes to it as one message.
 * - A worker that dies rejects the jobs it was running (exit-triage.ts) and returns the
 *   jobs it had not started to the front of the queue.
 * - Every path settles: results, task errors, worker death, timeouts, cancellation,
 *   close and terminate each end every job they touch.
 */

import type { TransferListItem } from 'node:worker_threads';
import { sharesMemory } from '../backends/select.js';
import { InvalidStateError, PoolClosedError, QueueFullError, TimeoutError, WorkerInitError } from '../errors.js';
import {
  type JobResultMessage,
  MAX_JOB_ID,
  type TaskSpec,
  type WorkerStartData,
  type WorkerToMain,
} from '../protocol.js';
import { brokerClientGone } from '../shared/broker-registry.js';
import { type MarshalForm, marshalItems } from '../shared/marshal.js';
import { deserializeError } from '../util/remote-error.js';
import { argumentCloneError } from './clone-errors.js';
import { triageHeldJobs, workerExitError } from './exit-triage.js';
import { Job, type JobOutcome, type JobOwner, type ScheduledTask } from './job.js';
import { JobQueue } from './job-queue.js';
import { Placement } from './placement.js';
import { PoolEventEmitter } from './pool-events.js';
import { marshalInitializer, type SchedulerConfig } from './scheduler-config.js';
import { SlotsByLoad } from './slots-by-load.js';
import { type PoolStats, StatsRecorder } from './stats.js';
import { taskErrorFrom } from './task-error.js';
import { TaskKeys } from './task-keys.js';
import { armTaskTimer } from './task-timer.js';
import { WorkerSlot } from './worker-slot.js';

export class Scheduler {
  private readonly queue = new JobQueue();
  private readonly emit: PoolEventEmitter;
  private readonly slots = new Set<WorkerSlot>();
  /** The slots that accept work, by the jobs each holds. */
  private readonly accepting = new SlotsByLoad();
  private readonly placement: Placement;
  /** Slots that reached maxTasksPerWorker and exit once their jobs settle. */
  private readonly retiring = new Set<WorkerSlot>();
  /** Slots given jobs in this dispatch, each sent them in one message at its end. */
  private readonly unsent = new Set<WorkerSlot>();
  private readonly tasks = new TaskKeys();
  private readonly stats = new StatsRecorder();
  private nextJobId = 1;
  private nextSlotId = 1;
  private dispatchScheduled = false;
  private closed = false;
  private terminated = false;
  private broken: Error | undefined;
  private drainWaiters: (() => void)[] = [];
  /** Streams (map, imap...) still reading their input: close() waits for them too. */
  private openStreams = 0;

  /** How shared objects among task arguments travel to this pool's workers. */
  private readonly marshalForm: MarshalForm;
  /** The initializer as workers get it: shared objects among its args marshalled once, here. */
  private readonly initializer: WorkerStartData['initializer'];

  constructor(private readonly config: SchedulerConfig) {
    this.emit = new PoolEventEmitter(config.events);
    this.placement = new Placement({ ...config, adaptivePipeline: config.backend.adaptivePipeline }, this.accepting);
    this.marshalForm = sharesMemory(config.backend.kind) ? 'memory' : 'broker';
    this.initializer = marshalInitializer(config.initializer, this.marshalForm);
    // In a microtask, so listeners attached right after `new Pool()` hear these workers start.
    if (config.minWorkers > 0) queueMicrotask(() => this.keepMinWorkers());
  }

  /** The scheduler's handle for a task spec; specs are interned so workers learn each once. */
  task(spec: TaskSpec): ScheduledTask {
    return this.tasks.intern(spec, (checked) => this.config.backend.checkTask(checked));
  }

  /**
   * Why work would be refused right now, or undefined if it is accepted. A call admitted
   * before close() (a map still reading its input, an imap still pulling) may go on.
   */
  refusal(countsTowardQueueLimit: boolean, admittedBeforeClose = false): Error | undefined {
    if (this.broken) return this.broken;
    if (this.terminated || (this.closed && !admittedBeforeClose)) return new PoolClosedError();
    if (countsTowardQueueLimit && this.queue.jobs >= this.config.maxQueue) {
      return new QueueFullError(
        `the pool's queue holds ${this.queue.jobs} jobs, its maxQueue: wait for results before submitting more, or raise maxQueue`,
      );
    }
    return undefined;
  }

  /** Queues a job. The caller has checked refusal() first. */
  submit(
    task: ScheduledTask,
    items: readonly (readonly unknown[])[],
    firstIndex: number,
    owner: JobOwner,
    transfer?: readonly TransferListItem[],
  ): Job {
    const id = this.nextJobId;
    this.nextJobId = id === MAX_JOB_ID ? 1 : id + 1;
    const marshalled = marshalItems(items, this.marshalForm);
    const job = new Job(id, task, marshalled ?? items, firstIndex, owner, transfer);
    if (marshalled) job.shared = true;
    job.queuedAt = performance.now();
    this.queue.add(job);
    this.scheduleDispatch();
    return job;
  }

  /**
   * Withdraws a job its owner no longer wants; the owner is not called back. A queued job
   * is dropped. A held job is forgotten, and with `stopRunning` its worker is terminated
   * and replaced (the other jobs it held go back to the queue).
   */
  withdraw(job: Job, stopRunning: boolean): void {
    if (job.state === 'settled') return;
    const slot = job.slot;
    if (job.state === 'queued') this.queue.left(job);
    this.markSettled(job);
    this.stats.failed += job.items.length;
    if (slot && stopRunning) this.stopJob(slot, job);
    this.scheduleDispatch();
  }

  /** A stream call started; until streamEnded(), the pool is not drained even when its queue is empty. */
  streamStarted(): void {
    this.openStreams++;
  }

  streamEnded(): void {
    this.openStreams--;
    this.scheduleDispatch();
  }

  /** Refuses new work; queued work still runs; workers exit once idle. */
  close(): void {
    this.closed = true;
    this.scheduleDispatch();
  }

  /** Stops every worker now and rejects all pending work with `reason`. */
  terminate(reason: Error): void {
    this.closed = true;
    if (this.terminated) return;
    this.terminated = true;
    this.failEverything(reason);
    this.checkDrained();
  }

  /** Resolves when the pool is closed and every worker has exited. */
  join(): Promise<void> {
    if (!this.closed) {
      return Promise.reject(new InvalidStateError('join() needs close() or terminate() first'));
    }
    if (this.slots.size === 0 && (this.terminated || this.isDrained())) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  snapshot(): PoolStats {
    return this.stats.snapshot(this.slots, this.queue.items);
  }

  get workerCount(): number {
    return this.config.maxWorkers;
  }

  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    queueMicrotask(() => this.dispatch());
  }

  private dispatch(): void {
    this.dispatchScheduled = false;
    if (this.terminated) return;
    const depth = this.placement.depth();
    const spawn = () => (this.broken === undefined ? this.spawn() : undefined);
    for (let job = this.queue.peek(); job !== undefined; job = this.queue.peek()) {
      const slot = this.placement.pick(job, depth, spawn);
      if (slot === undefined) break;
      this.queue.take();
      this.assign(slot, job);
    }
    for (const slot of this.unsent) {
      const unsendable = slot.flush();
      if (unsendable) for (const { job, error } of unsendable) this.refuseUnsendable(job, error);
    }
    this.unsent.clear();
    // Only a closed pool or a retiring worker stops idle workers: no scan of them all otherwise.
    if (this.closed || this.retiring.size > 0) {
      for (const slot of this.slots) {
        if (slot.held.size === 0 && this.shouldStopIdle(slot)) this.stopSlot(slot, 'graceful');
      }
    }
    this.checkDrained();
  }

  /** Starts workers until `minWorkers` accept work (none once the pool is closed or broken). */
  private keepMinWorkers(): void {
    while (
      this.accepting.size < this.config.minWorkers &&
      !this.closed &&
      this.broken === undefined &&
      this.spawn() !== undefined
    ) {}
  }

  /** An idle worker above minWorkers exits after idleTimeout unless work came. */
  private idleFrom(slot: WorkerSlot): void {
    slot.markIdle(this.config.idleTimeout, () => {
      if (!this.closed && this.accepting.size > this.config.minWorkers) this.stopSlot(slot, 'graceful');
    });
  }

  /** Stops a settled job that may still run: by itself if its backend can, else with its worker. */
  private stopJob(slot: WorkerSlot, job: Job): void {
    if (!slot.handle.cancelJob(job.id)) this.stopSlot(slot, 'force');
  }

  /** Stops a worker; it takes no more jobs from now on. */
  private stopSlot(slot: WorkerSlot, how: 'graceful' | 'force'): void {
    this.accepting.forget(slot);
    this.retiring.delete(slot);
    slot.stop(how);
  }

  private assign(slot: WorkerSlot, job: Job): void {
    job.state = 'held';
    job.slot = slot;
    job.dispatchedAt = performance.now();
    this.stats.recordWait((job.dispatchedAt - job.queuedAt) * 1000);
    slot.hold(job);
    this.accepting.update(slot);
    this.unsent.add(slot);
    slot.markBusy();
    if (this.config.taskTimeout !== Number.POSITIVE_INFINITY) {
      const budget = this.config.taskTimeout * job.items.length;
      armTaskTimer(job, budget, (expired) => this.timedOut(expired, budget));
    }
    this.emit.taskStart(job, slot);
  }

  private markSettled(job: Job): void {
    job.state = 'settled';
    if (job.timer) clearTimeout(job.timer);
    const slot = job.slot;
    if (slot) {
      slot.release(job);
      this.accepting.update(slot);
      if (slot.held.size === 0) this.idleFrom(slot);
    }
  }

  private finish(job: Job, outcome: JobOutcome, runMicros?: number): void {
    this.markSettled(job);
    if (outcome.ok) this.stats.completed += job.items.length;
    else {
      this.stats.completed += outcome.values.length;
      this.stats.failed += job.items.length - outcome.values.length;
    }
    this.emit.taskSettled(job, outcome, runMicros);
    job.owner.jobSettled(job, outcome, runMicros);
  }

  /** A job whose arguments could not be sent: it alone rejects; it never reached the worker. */
  private refuseUnsendable(job: Job, error: unknown): void {
    if (job.state !== 'held') return;
    this.finish(job, { ok: false, values: [], error: argumentCloneError(job, error) });
  }

  private timedOut(job: Job, budget: number): void {
    const slot = job.slot;
    this.finish(job, {
      ok: false,
      values: [],
      error: new TimeoutError(`task ${job.task.name} ran longer than its taskTimeout (${budget} ms)`),
    });
    if (slot) this.stopJob(slot, job);
  }

  private onResults(slot: WorkerSlot, results: readonly JobResultMessage[]): void {
    for (const result of results) {
      const job = slot.held.get(result.id);
      if (job === undefined) continue; // withdrawn or timed out meanwhile
      slot.itemsDone += job.items.length;
      const perJob = result.runMicros;
      this.placement.learn(perJob);
      this.stats.recordRun(perJob / job.items.length);
      const outcome: JobOutcome =
        result.error === undefined
          ? { ok: true, values: result.values }
          : { ok: false, values: result.values, error: taskErrorFrom(job, result.error, result.values.length) };
      this.finish(job, outcome, perJob);
    }
    if (slot.state === 'ready' && slot.itemsDone >= this.config.maxTasksPerWorker) {
      slot.state = 'retiring';
      this.accepting.forget(slot);
      this.retiring.add(slot);
    }
    this.scheduleDispatch();
  }

  private spawn(): WorkerSlot | undefined {
    const slot = new WorkerSlot(this.nextSlotId++, this.config.poolName);
    try {
      slot.start(
        this.config.backend,
        { initializer: this.initializer, lanes: this.config.lanes },
        {
          message: (message) => this.onMessage(slot, message),
          exit: (exitCode) => this.onExit(slot, exitCode),
        },
      );
    } catch (error) {
      this.breakPool(new WorkerInitError(`could not start a worker: ${(error as Error).message}`, { cause: error }));
      return undefined;
    }
    this.slots.add(slot);
    this.accepting.track(slot);
    this.idleFrom(slot);
    this.stats.workersStarted++;
    this.emit.workerStart(slot, slot.handle);
    return slot;
  }

  private onMessage(slot: WorkerSlot, message: WorkerToMain): void {
    if (message.type === 'results') this.onResults(slot, message.results);
    else if (message.type === 'initFailed') {
      const cause = deserializeError(message.error);
      const detail = `${cause.name}: ${cause.message}`;
      this.breakPool(new WorkerInitError(`the pool's initializer failed in a new worker: ${detail}`, { cause }));
    } else slot.absorb(message);
  }

  private shouldStopIdle(slot: WorkerSlot): boolean {
    if (slot.state === 'retiring') return true;
    return this.closed && slot.accepting && this.isDrained();
  }

  private onExit(slot: WorkerSlot, exitCode: number): void {
    const runningIds = slot.reportedRunningJobs ?? slot.handle.runningJobIds();
    brokerClientGone(slot.handle);
    slot.state = 'dead';
    this.slots.delete(slot);
    this.accepting.forget(slot);
    this.retiring.delete(slot);
    this.unsent.delete(slot);
    const { requeue, reject } = triageHeldJobs([...slot.held.values()], runningIds, {
      stoppedOnPurpose: slot.stoppedOnPurpose,
      mayRequeue: !this.terminated && this.broken === undefined,
    });
    for (const job of reject) {
      this.finish(job, {
        ok: false,
        values: [],
        error: this.broken ?? workerExitError(exitCode, job, slot.fatalError),
      });
    }
    for (const job of requeue) slot.release(job);
    this.queue.requeueAtFront(requeue);
    slot.stopIdleClock();
    this.emit.workerExit(slot, exitCode);
    if (!this.terminated) this.keepMinWorkers();
    this.scheduleDispatch();
    this.checkDrained();
  }

  private breakPool(error: Error): void {
    if (this.broken) return;
    this.broken = error;
    this.failEverything(error);
  }

  /** Rejects every queued and held job with `error` and stops every worker now. */
  private failEverything(error: Error): void {
    for (const job of this.queue.drain()) this.finish(job, { ok: false, values: [], error });
    for (const slot of this.slots) {
      for (const job of [...slot.held.values()]) this.finish(job, { ok: false, values: [], error });
      this.stopSlot(slot, 'force');
    }
  }

  private isDrained(): boolean {
    return this.queue.jobs === 0 && this.openStreams === 0;
  }

  private checkDrained(): void {
    if (!this.closed || this.slots.size > 0) return;
    if (!this.terminated && !this.isDrained() && this.broken === undefined) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
