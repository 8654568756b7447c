/**
 * The pools a run that reads files draws on (`vigil hash` and `--check`, `baseline`, `check`,
 * `accept`), each started only when first used: the worker pool of worker-pool.ts, and a pool
 * that runs tasks in this thread for a run so small that starting workers would cost more than
 * the work. Hashing two small files the way sha256sum is used took 0.52 s of CPU, a third of
 * it starting worker threads and loading the task modules in each (docs/benchmarks.md).
 */
import { Pool } from 'tandem/pool';
import type { TaskRef } from 'tandem/tasks';
import { createWorkerPool, poolWorkers, sharesMemory, type WorkerPoolFlags } from './worker-pool.js';

export interface HashPools {
  /** Workers the worker pool has, known before it starts. */
  readonly workers: number;
  /** The worker pool, started by the first call. */
  workerPool(): Pool;
  /**
   * A pool running tasks in this thread (started by the first call), for the one batch of a run
   * whose whole input fits in it; undefined when the work belongs to the hosts behind --redis.
   */
  herePool(): Pool | undefined;
  /** Whether the worker pool was started (a batch went to it). */
  readonly started: boolean;
  /**
   * Where a batch goes: with `here`, to this thread's pool when there is one (the batch is then
   * run `inMainThread`: a big file is handed back for a worker); else to the worker pool.
   */
  poolFor(here: boolean): { readonly pool: Pool; readonly inMainThread: boolean };
  /**
   * Starts the worker pool's threads now, ahead of the first batch, each running `prepare` as
   * it starts (pool/early-start.ts says when this pays).
   */
  startWorkers(prepare: TaskRef<() => void>): void;
  /** Ends whichever pools were started. */
  terminate(): Promise<void>;
}

/** The pools of one run; bad --jobs, --redis or --queue values are refused here, before any work. */
export function createHashPools(name: string, flags: WorkerPoolFlags): HashPools {
  const workers = poolWorkers(flags);
  const local = sharesMemory(flags);
  let pool: Pool | undefined;
  let here: Pool | undefined;
  return {
    workers,
    get started() {
      return pool !== undefined;
    },
    poolFor(here) {
      const herePool = here ? this.herePool() : undefined;
      return herePool ? { pool: herePool, inMainThread: true } : { pool: this.workerPool(), inMainThread: false };
    },
    workerPool() {
      pool ??= createWorkerPool(name, flags);
      return pool;
    },
    startWorkers(prepare) {
      // Hosts behind --redis are already running: there is nothing to start early.
      if (local) pool ??= createWorkerPool(name, flags, { startWith: { task: prepare, args: [] } });
    },
    herePool() {
      if (!local) return undefined;
      here ??= new Pool({ backend: 'inline', workers: 1, name: `${name}-here` });
      return here;
    },
    async terminate() {
      await Promise.all([pool?.terminate(), here?.terminate()]);
    },
  };
}
