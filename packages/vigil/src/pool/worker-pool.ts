/**
 * The pool every scanning command hashes on: worker threads on this machine (`--jobs`), or
 * `tandem worker` processes on other hosts through Redis (`--redis URL --queue NAME`), which
 * must mount the tree at the same path.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Pool } from 'tandem/pool';
import type { TaskRef } from 'tandem/tasks';
import { UsageError } from '../errors.js';
import { createReadingCounter, type ReadingCounter, readingBytes } from '../fs/reading-bytes.js';
import type { ProgressSink } from '../progress-sink.js';

/**
 * The vigil package's directory. Task modules travel to Redis workers as paths relative to
 * it, so workers run `tandem worker --root <this directory>` from the same vigil install.
 */
export const VIGIL_PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Jobs in Redis at once by default: enough to keep several hosts' cores busy. */
const DEFAULT_REDIS_JOBS = 64;

export interface WorkerPoolFlags {
  readonly jobs?: string | undefined;
  readonly redis?: string | undefined;
  readonly queue?: string | undefined;
}

export function resolveJobs(jobs: string | undefined, fallback = availableParallelism()): number {
  if (jobs === undefined) return fallback;
  const n = Number(jobs);
  if (!Number.isInteger(n) || n < 1 || n > 1024) {
    throw new UsageError(`--jobs must be a whole number from 1 to 1024, got "${jobs}"`);
  }
  return n;
}

/**
 * Whether the pool's workers share this process's memory (worker threads here, not hosts
 * through Redis): only then can they count their reading into a shared counter for the bar.
 */
export function sharesMemory(flags: WorkerPoolFlags): boolean {
  return flags.redis === undefined && flags.queue === undefined;
}

/**
 * A count of the reading in progress that `progress` watches (fs/reading-bytes.ts), when the
 * pool's workers share this process's memory; undefined when they do not.
 */
export function readingCounterFor(flags: WorkerPoolFlags, progress: ProgressSink): ReadingCounter | undefined {
  if (!sharesMemory(flags)) return undefined;
  const counter = createReadingCounter();
  progress.watchReading(() => readingBytes(counter));
  return counter;
}

/**
 * How many workers the pool of `flags` has: --jobs, or by default this machine's cores (worker
 * threads) or DEFAULT_REDIS_JOBS (hosts through Redis). Refuses --redis without --queue and
 * the reverse.
 */
export function poolWorkers(flags: WorkerPoolFlags): number {
  if (sharesMemory(flags)) return resolveJobs(flags.jobs);
  if (flags.redis === undefined || flags.queue === undefined) {
    throw new UsageError('--redis and --queue go together: give both, e.g. --redis redis://HOST:6379 --queue hashing');
  }
  return resolveJobs(flags.jobs, DEFAULT_REDIS_JOBS);
}

/**
 * The young generation (MB) of backup and of restore workers. Node's default lets a worker's
 * grow to 48 MB of mostly dead chunk buffers and their wrappers between scavenges. Measured on
 * the /usr/share copy (docs/benchmarks.md, issue 18), against the default: a backup's peak
 * 30 to 40 MB lower at 8 MB, with less CPU (2 MB: lower still, but more CPU than the default);
 * restore's ~70 MB lower at 2 MB (4 MB: ~45, 8 MB: ~25) with the same CPU.
 */
export const BACKUP_WORKER_YOUNG_MB = 8;
export const RESTORE_WORKER_YOUNG_MB = 2;

export interface WorkerPoolLimits {
  /** The young generation of each worker thread, MB (V8's default when absent). */
  readonly youngGenerationMb?: number;
  /**
   * Start every worker thread now, not when the first task comes, each running `task(...args)`
   * as it starts (tandem's initializer): the worker loads that task's module, and does what it
   * does, while the main thread is still busy with what comes before its first batch (a
   * backup's workers load their modules and open their storage: backup/tasks.ts, startWorker).
   */
  readonly startWith?:
    | { readonly task: TaskRef<(...args: never[]) => unknown>; readonly args: readonly unknown[] }
    | undefined;
}

export function createWorkerPool(name: string, flags: WorkerPoolFlags, limits: WorkerPoolLimits = {}): Pool {
  const workers = poolWorkers(flags);
  if (sharesMemory(flags)) {
    const young = limits.youngGenerationMb;
    return new Pool({
      workers,
      name,
      prefetch: 1,
      ...(limits.startWith !== undefined
        ? { minWorkers: workers, initializer: limits.startWith.task, initArgs: limits.startWith.args }
        : {}),
      ...(young !== undefined ? { resourceLimits: { maxYoungGenerationSizeMb: young } } : {}),
    });
  }
  return new Pool({
    backend: 'redis',
    connection: flags.redis as string,
    queue: flags.queue as string,
    root: VIGIL_PACKAGE_ROOT,
    workers,
    name,
  });
}
