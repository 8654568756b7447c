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

/**
 * How to stop a worker: SIGTERM, SIGKILL or SIGINT (Process.interrupt()) for a child process,
 * which may handle SIGINT and live on; threads and inline workers are terminated either way.
 */
export type StopSignal = 'SIGTERM' | 'SIGKILL' | 'SIGINT';

/** The main side's handle on one running worker. */
export interface WorkerHandle {
  /** The process id (the parent's for threads and inline). */
  readonly pid: number;
  /** The thread id, for thread workers. */
  readonly threadId: number | undefined;
  send(message: MainToWorker, transfer: readonly TransferListItem[]): void;
  /** The job the worker is running now and when it started (Date.now() ms), if any. */
  runningJob(): { readonly id: number; readonly startedAtMs: number } | undefined;
  /**
   * For workers that run their jobs independently of each other (a Redis slot's jobs may run
   * on different hosts at once): when job `id` started (Date.now() ms), if it has.
   */
  jobStartedAtMs?(id: number): number | undefined;
  /**
   * For the same workers: stops one job (removed if it waits, cancelled if it runs) and keeps
   * the worker and its other jobs. Without it, a job is stopped by stopping its worker.
   */
  cancelJob?(id: number): void;
  /** Stops the worker at once; onExit follows with -15 or -9. */
  stop(signal: StopSignal): void;
  /** Whether the worker keeps the parent's event loop alive (busy workers do, idle ones not). */
  setKeepsParentAlive(keep: boolean): void;
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
   * tiny, to hide the round trip (default true). Redis says no: each of its virtual workers
   * stands for one job in Redis (plus `prefetch`), so the pool's `workers` bounds those.
   */
  readonly adaptivePipeline?: boolean;
  spawn(start: WorkerStartData, listener: WorkerListener): WorkerHandle;
  /** Throws if this backend cannot run the task at all (e.g. inline functions on Redis). */
  checkTask?(spec: TaskSpec): void;
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
