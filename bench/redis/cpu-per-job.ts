/**
 * Where a tiny job's cost goes: CPU time per 1000 one-job-per-task jobs of the caller, of
 * each worker process and of redis-server (from /proc/<pid>/stat), and the best wall time of
 * 5 runs of 5000 jobs, for tandem's Redis backend or for plain BullMQ. Run the two modes
 * alternately a few times: the machine is noisy.
 *
 *   npm run build && node --import tsx bench/redis/cpu-per-job.ts tandem|plain [processes]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { Pool } from 'tandem';
import { freePort, RedisServer, startWorker } from '../../packages/tandem/test/fixtures/redis-harness.ts';
import { addAllAndAwait, startPlainWorkers, stopPlainWorkers } from './plain-bullmq.ts';
import tasks from './tasks.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const JOBS = 5000;
const RUNS = 5;
const mode = process.argv[2] === 'plain' ? 'plain' : 'tandem';
const processes = Number(process.argv[3] ?? 2);

/** user + system CPU of a process, in clock ticks (10 ms on Linux). */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]);
}

const redis = new RedisServer(await freePort());
await redis.start();
const redisPid = redis.pid as number;
const items = Array.from({ length: JOBS }, (_, i) => i);
let workerPids: number[];
let run: () => Promise<void>;
let stop: () => Promise<void>;

if (mode === 'tandem') {
  const workers = await Promise.all(Array.from({ length: processes }, () => startWorker(redis.url, 'q', HERE)));
  workerPids = workers.map((w) => w.pid);
  const pool = new Pool({
    backend: 'redis',
    connection: redis.url,
    queue: 'q',
    root: HERE,
    workers: 8 * processes,
    prefetch: 3,
  });
  run = async () => void (await pool.map(tasks.noop, items, { chunkSize: 1 }));
  stop = async () => {
    await pool.terminate();
    await Promise.all(workers.map((w) => w.stop()));
  };
} else {
  const children = await startPlainWorkers(redis.url, 'p', processes);
  workerPids = children.map((c) => c.pid as number);
  const queue = new Queue('p', { connection: { url: redis.url } });
  const events = new QueueEvents('p', { connection: { url: redis.url } });
  await events.waitUntilReady();
  run = () => addAllAndAwait(queue, events, 'noop', items);
  stop = async () => {
    await Promise.all([queue.close(), events.close()]);
    await stopPlainWorkers(children);
  };
}

await run(); // warm-up
const workers0 = workerPids.map(cpuTicks);
const redis0 = cpuTicks(redisPid);
const caller0 = process.cpuUsage();
let best = Number.POSITIVE_INFINITY;
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  await run();
  best = Math.min(best, performance.now() - t0);
}
const caller = process.cpuUsage(caller0);
const perThousand = (ticks: number) => ((ticks * 10) / RUNS / (JOBS / 1000)).toFixed(0);
console.log(
  `${mode} x${processes}: best ${best.toFixed(0)} ms; CPU ms per 1000 jobs: caller ` +
    `${((caller.user + caller.system) / 1000 / RUNS / (JOBS / 1000)).toFixed(0)}, workers ` +
    `${workerPids.map((pid, i) => perThousand(cpuTicks(pid) - (workers0[i] as number))).join('+')}, redis ` +
    perThousand(cpuTicks(redisPid) - redis0),
);
await stop();
await redis.kill();
