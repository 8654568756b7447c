/** Pool options: their types, defaults and validation, in one place. */

import { availableParallelism } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import type { ResourceLimits, TransferListItem } from 'node:worker_threads';
import type { PoolBackendKind } from '../backends/backend.js';
import type { RedisBackendOptions } from '../backends/redis.js';
import { POOL_BACKEND_KINDS } from '../backends/select.js';
import { checkQueueName, checkRedisUrl } from '../redis/url.js';
import { checkOptionKind, checkOptionNames, checkStringArray, describeValue } from '../util/check-options.js';
import type { CancelOptions } from './call-guard.js';

/**
 * Jobs one Redis pool has in Redis at once unless `workers` says otherwise: one per virtual
 * worker (slot). Enough to keep the hosts supplied while the caller refills: with 4 hosts on
 * 2 cores and tiny jobs (bench/redis/overhead.ts), 64 ran at 1.19x plain BullMQ's time, 128 at
 * 1.08-1.12x, and 256 or more no better (`prefetch: 1` on 64 slots measured the same).
 */
export const DEFAULT_REDIS_JOBS = 128;

/** Options of `new Pool(...)`. */
export interface PoolOptions {
  /**
   * How many workers run at once. Default: `os.availableParallelism()`. On `'redis'` the
   * workers are virtual: `workers` is how many jobs this pool has in Redis at once (default
   * 128, plus `prefetch` per worker if set); set it to at least the total `--concurrency` of
   * the worker hosts.
   */
  workers?: number;
  /**
   * Where tasks run: `'thread'` (worker threads, the default), `'process'` (child processes:
   * isolated heaps, real pids and exit codes), or `'inline'` (the calling thread, one task at
   * a time, for breakpoints and deterministic tests; `workers` is then 1), or `'redis'`
   * (`tandem worker` processes on any host, through a BullMQ queue: see `connection`, `queue`).
   */
  backend?: PoolBackendKind;
  /**
   * backend 'redis': the Redis URL, `redis://[user:password@]host:port[/db]` or `rediss://`
   * for TLS. Credentials are never printed.
   */
  connection?: string;
  /** backend 'redis': the BullMQ queue; workers run `tandem worker --queue <name>`. */
  queue?: string;
  /**
   * backend 'redis': task modules are sent as paths relative to this directory, and each
   * worker resolves them under its own `--root`. Default: `process.cwd()`.
   */
  root?: string;
  /** backend 'redis': BullMQ attempts per job when a *worker* fails it (a task's error is not retried). Default 1. */
  attempts?: number;
  /** backend 'redis': BullMQ backoff between attempts. */
  backoff?: { type: 'fixed' | 'exponential'; delay: number };
  /** backend 'redis': ms to connect to Redis before a call rejects. Default 5000. */
  connectTimeout?: number;
  /** Start every line a worker prints with `[name] `. Default false. */
  logPrefix?: boolean;
  /** A task run once in each new worker before it takes work (e.g. to open a database). */
  // biome-ignore lint/suspicious/noExplicitAny: any function; its arguments are checked at run time.
  initializer?: (...args: any[]) => unknown;
  /** Arguments for `initializer`. */
  initArgs?: readonly unknown[];
  /** Replace a worker after it has run this many tasks (items). Default: never. */
  maxTasksPerWorker?: number;
  /**
   * Workers started when the pool is made and kept while it lives (an initializer runs in
   * them at once, as in Python's Pool, whose workers all start with it). Default 0: workers
   * start on demand. At most `workers`.
   */
  minWorkers?: number;
  /**
   * Milliseconds a worker above `minWorkers` may sit idle before it exits; the pool starts
   * workers again when work comes. Default: never (workers stay until close or terminate).
   */
  idleTimeout?: number;
  /**
   * Tasks one worker runs at once (default 1). Above 1, a worker starts the next task while
   * earlier ones await (I/O, timers), so I/O-bound tasks stop needing a thread each; tasks
   * that compute without awaiting gain nothing. A timeout or an abort that must stop a
   * worker runs its other tasks again on another worker (at most 3 times each).
   */
  concurrentTasksPerWorker?: number;
  /**
   * Milliseconds one task may run; past it the task rejects with TimeoutError and its
   * worker is replaced. A chunk of n items gets n times this budget. Default: no limit.
   */
  taskTimeout?: number;
  /** Most jobs (apply calls, map chunks) waiting for a worker; past it submissions reject with QueueFullError. */
  maxQueue?: number;
  /**
   * Jobs a busy worker may hold queued behind the one it runs, whatever their length.
   * Default 0: the pool queues jobs in a worker only when they are measured to be tiny
   * (under about 1 ms), so a long job never waits behind another while a worker idles.
   * 1 or 2 hide the round trip to the main thread between jobs of a few milliseconds,
   * which matters when the main thread is busy (e.g. walking a file tree).
   */
  prefetch?: number;
  /** V8 heap limits for each worker thread. */
  resourceLimits?: ResourceLimits;
  /** Environment of each worker. Default: a copy of `process.env` when the worker starts. */
  env?: NodeJS.ProcessEnv;
  /** Node options for each worker. Default: the parent's `process.execArgv` (so loaders such as tsx carry over). */
  execArgv?: string[];
  /** Name used in worker names and messages. Default `'tandem'`. */
  name?: string;
}

/** Options of apply and applyAsync. */
export interface ApplyOptions extends CancelOptions {
  /** ArrayBuffers (or MessagePorts) among the arguments to move to the worker rather than copy. */
  readonly transfer?: readonly TransferListItem[];
}

/** Options of map and starmap. */
export interface MapOptions extends CancelOptions {
  /** Items per job. Default, as Python: ceil(n / (4 x workers)). */
  readonly chunkSize?: number;
}

/** Options of imap and imapUnordered. */
export interface ImapOptions extends CancelOptions {
  /**
   * Items per job. Default `'auto'`: chunks start at 1 item and grow until a chunk takes
   * about 2 ms of work, never beyond maxInFlight / (4 x workers).
   */
  readonly chunkSize?: number | 'auto';
  /**
   * Most items taken from the source and not yet consumed by the loop; the source is
   * pulled only while fewer are in flight. Default: max(1024, 256 x workers).
   */
  readonly maxInFlight?: number;
}

/** The option names each method takes, checked at run time (util/check-options.ts). */
export const POOL_OPTIONS: readonly (keyof PoolOptions)[] = [
  'workers',
  'backend',
  'connection',
  'queue',
  'root',
  'attempts',
  'backoff',
  'connectTimeout',
  'logPrefix',
  'initializer',
  'initArgs',
  'maxTasksPerWorker',
  'minWorkers',
  'idleTimeout',
  'concurrentTasksPerWorker',
  'taskTimeout',
  'maxQueue',
  'prefetch',
  'resourceLimits',
  'env',
  'execArgv',
  'name',
];
export const APPLY_OPTIONS: readonly string[] = ['signal', 'timeout', 'transfer'];
export const APPLY_ASYNC_OPTIONS: readonly string[] = [...APPLY_OPTIONS, 'callback', 'errorCallback'];
export const MAP_OPTIONS: readonly (keyof MapOptions)[] = ['signal', 'timeout', 'chunkSize'];
export const IMAP_OPTIONS: readonly (keyof ImapOptions)[] = ['signal', 'timeout', 'chunkSize', 'maxInFlight'];

export interface ResolvedPoolOptions {
  readonly backend: PoolBackendKind;
  readonly redis: RedisBackendOptions | undefined;
  readonly workers: number;
  readonly maxTasksPerWorker: number;
  readonly minWorkers: number;
  readonly idleTimeout: number;
  readonly concurrentTasksPerWorker: number;
  readonly taskTimeout: number;
  readonly maxQueue: number;
  readonly prefetch: number;
  readonly name: string;
}

export function resolvePoolOptions(options: PoolOptions): ResolvedPoolOptions {
  checkOptionNames('Pool', options, POOL_OPTIONS);
  checkOptionKind('Pool', 'logPrefix', options.logPrefix, 'boolean');
  checkOptionKind('Pool', 'initializer', options.initializer, 'function');
  checkOptionKind('Pool', 'resourceLimits', options.resourceLimits, 'object');
  checkOptionKind('Pool', 'env', options.env, 'object');
  checkStringArray('Pool', 'execArgv', options.execArgv);
  checkOptionKind('Pool', 'name', options.name, 'string');
  checkOptionKind('Pool', 'root', options.root, 'string');
  const workers = options.workers ?? (options.backend === 'redis' ? DEFAULT_REDIS_JOBS : availableParallelism());
  requirePositiveInteger('Pool: workers', workers);
  const maxTasksPerWorker = options.maxTasksPerWorker ?? Number.POSITIVE_INFINITY;
  if (maxTasksPerWorker !== Number.POSITIVE_INFINITY)
    requirePositiveInteger('Pool: maxTasksPerWorker', maxTasksPerWorker);
  const minWorkers = options.minWorkers ?? 0;
  if (!(Number.isInteger(minWorkers) && minWorkers >= 0 && minWorkers <= workers)) {
    const error = typeof minWorkers === 'number' ? RangeError : TypeError;
    throw new error(
      `Pool: minWorkers must be a whole number from 0 to workers (${workers}), got ${describeValue(minWorkers)}`,
    );
  }
  const idleTimeout = options.idleTimeout ?? Number.POSITIVE_INFINITY;
  if (!(typeof idleTimeout === 'number' && idleTimeout >= 0)) {
    const error = typeof idleTimeout === 'number' ? RangeError : TypeError;
    throw new error(`Pool: idleTimeout must be a number of milliseconds >= 0, got ${describeValue(idleTimeout)}`);
  }
  const concurrentTasksPerWorker = options.concurrentTasksPerWorker ?? 1;
  requirePositiveInteger('Pool: concurrentTasksPerWorker', concurrentTasksPerWorker);
  if (concurrentTasksPerWorker > 1 && options.backend === 'redis') {
    throw new TypeError(
      "Pool: concurrentTasksPerWorker does not apply to backend 'redis': start the worker hosts with --concurrency N",
    );
  }
  const taskTimeout = options.taskTimeout ?? Number.POSITIVE_INFINITY;
  if (!(typeof taskTimeout === 'number' && taskTimeout > 0)) {
    const error = typeof taskTimeout === 'number' ? RangeError : TypeError;
    throw new error(`Pool: taskTimeout must be a number of milliseconds > 0, got ${describeValue(taskTimeout)}`);
  }
  const prefetch = options.prefetch ?? 0;
  if (!(Number.isInteger(prefetch) && prefetch >= 0)) {
    const error = typeof prefetch === 'number' ? RangeError : TypeError;
    throw new error(`Pool: prefetch must be a whole number >= 0, got ${describeValue(prefetch)}`);
  }
  const maxQueue = options.maxQueue ?? Number.POSITIVE_INFINITY;
  if (maxQueue !== Number.POSITIVE_INFINITY) requirePositiveInteger('Pool: maxQueue', maxQueue);
  const backend = options.backend ?? 'thread';
  if (!POOL_BACKEND_KINDS.includes(backend)) {
    throw new TypeError(
      `Pool: unknown backend "${String(backend)}": use ${POOL_BACKEND_KINDS.map((k) => `'${k}'`).join(', ')}`,
    );
  }
  const redis = backend === 'redis' ? resolveRedisOptions(options, taskTimeout) : undefined;
  if (options.initArgs !== undefined && !Array.isArray(options.initArgs)) {
    throw new TypeError('Pool: initArgs must be an array of arguments for the initializer');
  }
  if (options.initArgs !== undefined && options.initializer === undefined) {
    throw new TypeError('Pool: initArgs was given without an initializer');
  }
  return {
    backend,
    redis,
    workers,
    maxTasksPerWorker,
    minWorkers,
    idleTimeout,
    concurrentTasksPerWorker,
    taskTimeout,
    maxQueue,
    prefetch,
    name: options.name ?? 'tandem',
  };
}

function resolveRedisOptions(options: PoolOptions, taskTimeout: number): RedisBackendOptions {
  const connection = checkRedisUrl(options.connection, "Pool (backend 'redis')");
  const queue = checkQueueName(options.queue, "Pool (backend 'redis')");
  if (options.initializer !== undefined) {
    throw new TypeError(
      "Pool: backend 'redis' has no initializer: workers on other hosts set themselves up when they import the task module",
    );
  }
  const attempts = options.attempts ?? 1;
  requirePositiveInteger('Pool: attempts', attempts);
  const connectTimeout = options.connectTimeout ?? 5000;
  requirePositiveInteger('Pool: connectTimeout', connectTimeout);
  const backoff = options.backoff;
  if (backoff !== undefined && !((backoff.type === 'fixed' || backoff.type === 'exponential') && backoff.delay >= 0)) {
    throw new TypeError("Pool: backoff must be { type: 'fixed' | 'exponential', delay: ms }");
  }
  return {
    connection,
    queue,
    root: resolvePath(options.root ?? process.cwd()),
    attempts,
    backoff,
    connectTimeout,
    reportStarts: taskTimeout !== Number.POSITIVE_INFINITY,
  };
}

export function requirePositiveInteger(name: string, value: unknown): void {
  if (typeof value !== 'number')
    throw new TypeError(`${name} must be a whole number >= 1, got ${describeValue(value)}`);
  if (!(Number.isInteger(value) && value >= 1)) {
    throw new RangeError(`${name} must be a whole number >= 1, got ${String(value)}`);
  }
}
