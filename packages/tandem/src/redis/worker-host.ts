/**
 * The worker side of the Redis backend: a BullMQ Worker that runs tandem jobs. `tandem
 * worker` (cli/tandem.ts) starts one per process; run as many processes, on as many hosts,
 * as you like, each with the same task modules under its --root.
 *
 * A job names its task by module path relative to the root and export name. The module is
 * imported only if it resolves inside the root after following symlinks. Anything a task
 * throws (and a refused or missing module) is returned as the job's *result*, as a threaded
 * worker reports it, so BullMQ's retries (attempts, backoff) are spent only on the worker
 * itself failing (its process killed, its lock lost), never on a task's own error.
 *
 * A caller cancels an active job by publishing its id on the queue's cancel channel; the
 * worker then stops before the chunk's next item (a task already running is not interrupted:
 * JavaScript cannot stop a function from outside) and the job ends with an AbortError result
 * that nobody awaits. The worker keeps that flag itself rather than taking BullMQ's abort
 * signal: a processor that accepts the signal makes BullMQ build an AbortController for
 * every job, a measurable share of a tiny job's cost.
 */
import { realpath } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { type Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { isThenable, runItems } from '../entry/run-items.js';
import { loadTask } from '../entry/task-loader.js';
import type { SerializedError } from '../protocol.js';
import type { AnyFunction } from '../tasks.js';
import { serializeError } from '../util/remote-error.js';
import { splitUnsendable } from '../util/uncloneable.js';
import {
  cancelChannel,
  decodeArgs,
  encodeResult,
  type PackedJobResult,
  type RedisJobData,
  type RedisJobResult,
  STARTED_PROGRESS,
  TANDEM_JOB_NAME,
} from './job-data.js';
import { resolveInsideRoot } from './module-path.js';
import { redactUrl, scrubSecrets } from './url.js';

export interface WorkerHostOptions {
  readonly connection: string;
  readonly queue: string;
  /** Jobs this process runs at once (async tasks overlap; CPU-bound tasks want 1 per process). */
  readonly concurrency: number;
  /** The directory task modules are resolved in; nothing outside it is imported. */
  readonly root: string;
  /** BullMQ's lock on an active job, in ms; a worker that dies loses its jobs this long after. */
  readonly lockDuration?: number | undefined;
  /** How often this worker looks for stalled jobs of dead workers, in ms. */
  readonly stalledInterval?: number | undefined;
  /** How often one job may stall before it fails for good. */
  readonly maxStalledCount?: number | undefined;
  /** Where to report (default: stderr). */
  readonly log?: ((line: string) => void) | undefined;
}

export interface WorkerHost {
  /** Waits for the active jobs, then disconnects. */
  close(): Promise<void>;
}

/** Starts a worker host; resolves once it is connected and taking jobs. */
export async function startWorkerHost(options: WorkerHostOptions): Promise<WorkerHost> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const scrub = (text: string) => scrubSecrets(text, options.connection);
  const root = await realpath(options.root);
  const functions = new Map<string, Promise<AnyFunction>>();
  /** Loaded tasks, so a job of a known task starts without awaiting a promise. */
  const loaded = new Map<string, AnyFunction>();
  /** The jobs this process is running, and whether their caller cancelled them. */
  const running = new Map<string, { cancelled: boolean }>();

  // NUL cannot occur in a path, so no two (module, name) pairs share a key.
  const keyOf = (data: RedisJobData) => `${data.module}\0${data.name}`;
  const taskOf = async (data: RedisJobData): Promise<AnyFunction> => {
    const key = keyOf(data);
    let fn = functions.get(key);
    if (fn === undefined) {
      fn = resolveInsideRoot(root, data.module)
        .then((path) => loadTask({ kind: 'module', moduleUrl: pathToFileURL(path).href, name: data.name }))
        .then((task) => {
          loaded.set(key, task);
          return task;
        });
      functions.set(key, fn);
      fn.catch(() => functions.delete(key)); // a module deployed later is found on the next job
    }
    return fn;
  };

  // Two parameters, not three: see the header on why BullMQ's abort signal is not taken.
  const processJob = async (job: Job, _token?: string): Promise<PackedJobResult> => {
    const data = job.data as RedisJobData;
    let values: unknown[] = [];
    let error: SerializedError | undefined;
    let startedAt = performance.now();
    const run = { cancelled: false };
    const jobId = String(job.id);
    running.set(jobId, run);
    try {
      if (job.name !== TANDEM_JOB_NAME || data?.v !== 1) {
        throw new TypeError(`job ${job.id} is not a tandem job (name ${JSON.stringify(job.name)})`);
      }
      const fn = loaded.get(keyOf(data)) ?? (await taskOf(data));
      const items = decodeArgs(data);
      startedAt = performance.now();
      // The caller's taskTimeout runs from here, not from BullMQ's 'active' (module loading
      // does not count). Not awaited: the write is ordered before this job's completion.
      if (data.reportStart) job.updateProgress(STARTED_PROGRESS).catch(() => {});
      // The same per-item loop as threads (entry/run-items.ts); a cancel stops it between items.
      const hooks = { stopBefore: () => (run.cancelled ? abortError() : undefined) };
      let outcome = runItems(fn, items, hooks);
      if (isThenable(outcome)) outcome = await outcome;
      values = outcome.values;
      if (outcome.failed) throw outcome.thrown;
    } catch (thrown) {
      error = serializeError(thrown);
      if ((thrown as { code?: unknown }).code === 'ERR_TANDEM_MODULE_OUTSIDE_ROOT') {
        log(`tandem worker: refused job ${job.id}: ${(thrown as Error).message}`);
      }
    }
    running.delete(jobId);
    const runMicros = Math.round((performance.now() - startedAt) * 1000);
    const result: RedisJobResult = error === undefined ? { values, runMicros } : { values, error, runMicros };
    try {
      return encodeResult(result);
    } catch (thrown) {
      return encodeResult({ ...splitUnsendable(values, thrown), runMicros } satisfies RedisJobResult);
    }
  };

  const worker = new Worker(options.queue, processJob, {
    connection: { url: options.connection, retryStrategy: reconnectDelay },
    concurrency: options.concurrency,
    autorun: false,
    ...(options.lockDuration === undefined ? {} : { lockDuration: options.lockDuration }),
    ...(options.stalledInterval === undefined ? {} : { stalledInterval: options.stalledInterval }),
    ...(options.maxStalledCount === undefined ? {} : { maxStalledCount: options.maxStalledCount }),
  });
  let lastError = '';
  worker.on('error', (err) => {
    const line = `tandem worker: ${scrub(String((err as Error)?.message ?? err))}`;
    if (line !== lastError) log(line); // a Redis outage repeats the same error on every retry
    lastError = line;
  });

  const subscriber = new Redis(options.connection, { retryStrategy: reconnectDelay, lazyConnect: true });
  subscriber.on('error', () => {}); // the Worker reports the outage
  subscriber.on('message', (_channel: string, jobId: string) => {
    const run = running.get(jobId);
    if (run) run.cancelled = true;
  });
  await subscriber.connect();
  await subscriber.subscribe(cancelChannel(options.queue));
  void worker.run().catch((err: unknown) => log(`tandem worker: ${scrub(String((err as Error)?.message ?? err))}`));
  await worker.waitUntilReady();
  log(
    `tandem worker: pid ${process.pid} taking jobs from queue ${options.queue} on ${redactUrl(options.connection)} ` +
      `(concurrency ${options.concurrency}, root ${root})`,
  );
  return {
    async close() {
      await worker.close();
      subscriber.disconnect();
    },
  };
}

/** Reconnect soon after Redis returns, without hammering it while it is away. */
function reconnectDelay(times: number): number {
  return Math.min(50 * 2 ** Math.min(times, 6), 2000);
}

function abortError(): Error {
  const error = new Error('the caller cancelled this job');
  error.name = 'AbortError';
  return error;
}
