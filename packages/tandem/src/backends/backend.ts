/**
 * The one interface every backend implements. The scheduler and Process talk only to this;
 * the backend is chosen in exactly one place (backends/select.ts).
 */
import type { ResourceLimits, TransferListItem } from 'node:worker_threads';
import type { MainToWorker, TaskSpec, WorkerStartData, WorkerToMain } from '../protocol.js';

/** What the owner of a worker hears from it. */
export interface WorkerListener {
  onMessage(message: WorkerToMain): void;
  /** An error the runtime reported for the worker (e.g. out of memory); exit follows. */
  onError(error: Error): void;
  /**
   * The worker is gone. Called once, after every message it sent has been delivered.
   * `exitCode` is -N when the worker was ended by signal N (as Python reports it).
   */
  onExit(exitCode: number): void;
}

/** How to stop a worker: SIGTERM or SIGKILL for a child process; threads are terminated either way. */
export type StopSignal = 'SIGTERM' | 'SIGKILL';

/** Which job a worker runs and since when (Date.now() ms). */
export interface RunningJob {
  readonly id: number;
  readonly startedAtMs: number;
}

/**
 * The main side's handle on one worker, shaped around jobs: the scheduler submits jobs
 * (`send` of a 'run' message), asks when each started (for taskTimeout), cancels one, and
 * hears each settle (a 'results' message to the listener). Every backend implements all of
 * it; what differs is behind it (one job at a time on threads and processes, independent
 * jobs on Redis), never a branch in the scheduler.
 */
export interface WorkerHandle {
  /** The process id (the parent's for threads and inline). */
  readonly pid: number;
  /** The thread id, for thread workers. */
  readonly threadId: number | undefined;
  /**
   * Sends a message: jobs to run, 'close', or a broker reply. Throws, before anything of the
   * message is sent, if it cannot be cloned (or encoded) for the worker.
   */
  send(message: MainToWorker, transfer: readonly TransferListItem[]): void;
  /** When job `id` started running (Date.now() ms), or undefined if it has not (yet). */
  jobStartedAtMs(id: number): number | undefined;
  /** The jobs the worker was running, read when it died: those fail, the others run again. */
  runningJobIds(): readonly number[];
  /**
   * Stops job `id` (a timeout or an abort settled it) and keeps the worker and its other jobs,
   * if this backend can: true if it did. Threads and processes cannot stop a running function
   * from outside and return false; the scheduler then stops the worker.
   */
  cancelJob(id: number): boolean;
  /** Stops the worker at once; onExit follows with -15 or -9. */
  stop(signal: StopSignal): void;
  /** Whether the worker keeps the parent's event loop alive (busy workers do, idle ones not). */
  setKeepsParentAlive(keep: boolean): void;
}

/**
 * The job members of a worker that runs its jobs in lanes of its own (threads, child
 * processes, inline: one job per lane, `lanes` at once), from what its running-job board says.
 */
export function jobsInLanes(
  running: () => readonly RunningJob[],
): Pick<WorkerHandle, 'jobStartedAtMs' | 'runningJobIds' | 'cancelJob'> {
  return {
    jobStartedAtMs: (id) => running().find((job) => job.id === id)?.startedAtMs,
    runningJobIds: () => running().map((job) => job.id),
    // A function running in a thread or process cannot be stopped from outside: only with it.
    cancelJob: () => false,
  };
}

export type BackendKind = 'thread' | 'process' | 'inline';
/** What a Pool can run on: the local backends, or BullMQ on Redis (Pool only, not Process). */
export type PoolBackendKind = BackendKind | 'redis';

export interface WorkerBackend {
  readonly kind: PoolBackendKind;
  /** Most workers this backend can run at once for one owner (inline: 1). */
  readonly maxWorkers: number;
  /**
   * Whether the scheduler may queue extra jobs into a busy worker when jobs are measured
   * tiny, to hide the round trip. Redis says no: each of its virtual workers stands for one
   * job in Redis (plus `prefetch`), so the pool's `workers` bounds those.
   */
  readonly adaptivePipeline: boolean;
  spawn(start: WorkerStartData, listener: WorkerListener): WorkerHandle;
  /** Throws if this backend cannot run the task at all (e.g. inline functions on Redis). */
  checkTask(spec: TaskSpec): void;
}

/** Options every spawning backend understands. */
export interface SpawnOptions {
  readonly resourceLimits: ResourceLimits | undefined;
  readonly env: NodeJS.ProcessEnv | undefined;
  readonly execArgv: string[] | undefined;
  readonly name: string;
  /** Prefix each line a worker prints with its name. */
  readonly logPrefix: boolean;
}
