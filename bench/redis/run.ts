/**
 * The Redis backend's benchmark (issue 9): CPU-bound tasks on 1, 2 and 4 worker processes over
 * loopback, tandem's Pool on BullMQ against the thread backend and against plain BullMQ usage
 * (a Queue, Workers, one job per task, results through QueueEvents), and the per-task overhead
 * of tiny tasks with and without chunking. Starts its own redis-server on a free port.
 *
 *   npm run build && node --import tsx bench/redis/run.ts [--quick]
 */
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { Pool } from 'tandem';
import { freePort, RedisServer, startWorker } from '../../packages/tandem/test/fixtures/redis-harness.ts';
import { addAllAndAwait, startPlainWorkers, stopPlainWorkers } from './plain-bullmq.ts';
import tasks from './tasks.ts';

const quick = process.argv.includes('--quick');
const HERE = fileURLToPath(new URL('.', import.meta.url));
const CPU_TASKS = quick ? 40 : 200;
const PRIMES_LIMIT = 150_000; // about 10 ms of CPU per task here
const TINY_TASKS = quick ? 1000 : 5000;
const REPEATS = quick ? 1 : 3;

interface Row {
  scenario: string;
  processes: number;
  runner: string;
  seconds: number;
  tasksPerSecond: number;
}
const rows: Row[] = [];

async function best(fn: () => Promise<void>): Promise<number> {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    await fn();
    min = Math.min(min, (performance.now() - t0) / 1000);
  }
  return min;
}

function record(scenario: string, processes: number, runner: string, seconds: number, count: number): void {
  const row = { scenario, processes, runner, seconds, tasksPerSecond: count / seconds };
  rows.push(row);
  console.error(
    `${scenario} x${processes} ${runner}: ${seconds.toFixed(3)} s, ${row.tasksPerSecond.toFixed(0)} tasks/s`,
  );
}

/** Plain BullMQ: add one job per task, wait for every completion through QueueEvents. */
async function plainBullmq(url: string, queueName: string, name: string, xs: number[]): Promise<void> {
  const queue = new Queue(queueName, { connection: { url } });
  const events = new QueueEvents(queueName, { connection: { url } });
  await events.waitUntilReady();
  const run = () => addAllAndAwait(queue, events, name, xs);
  await run(); // warm-up
  const seconds = await best(run);
  record(name === 'noop' ? 'tiny' : 'cpu', 0, 'plain BullMQ (one job per task)', seconds, xs.length);
  await Promise.all([queue.close(), events.close()]);
}

async function main(): Promise<void> {
  const redis = new RedisServer(await freePort());
  await redis.start();
  const url = redis.url;
  const cpuItems = Array.from({ length: CPU_TASKS }, () => PRIMES_LIMIT);
  const tinyItems = Array.from({ length: TINY_TASKS }, (_, i) => i);
  try {
    for (const processes of [1, 2, 4]) {
      // tandem on Redis
      const queue = `tandem-${processes}`;
      const workers = await Promise.all(Array.from({ length: processes }, () => startWorker(url, queue, HERE)));
      const pool = new Pool({
        backend: 'redis',
        connection: url,
        queue,
        root: HERE,
        workers: 8 * processes,
        prefetch: 3,
      });
      await pool.map(tasks.countPrimes, cpuItems.slice(0, 8), { chunkSize: 1 }); // warm-up: imports
      let seconds = await best(async () => void (await pool.map(tasks.countPrimes, cpuItems, { chunkSize: 1 })));
      record('cpu', processes, 'tandem redis, chunkSize 1 (one job per task)', seconds, CPU_TASKS);
      seconds = await best(async () => void (await pool.map(tasks.countPrimes, cpuItems)));
      record('cpu', processes, 'tandem redis, default chunks', seconds, CPU_TASKS);
      seconds = await best(async () => void (await pool.map(tasks.noop, tinyItems, { chunkSize: 1 })));
      record('tiny', processes, 'tandem redis, chunkSize 1 (one job per task)', seconds, TINY_TASKS);
      seconds = await best(async () => void (await pool.map(tasks.noop, tinyItems)));
      record('tiny', processes, 'tandem redis, default chunks', seconds, TINY_TASKS);
      seconds = await best(async () => void (await pool.map(tasks.noop, tinyItems, { chunkSize: 500 })));
      record('tiny', processes, 'tandem redis, chunkSize 500', seconds, TINY_TASKS);
      await pool.terminate();
      await Promise.all(workers.map((w) => w.stop()));

      // plain BullMQ, same work
      const plainQueue = `plain-${processes}`;
      const plain = await startPlainWorkers(url, plainQueue, processes);
      await plainBullmq(url, plainQueue, 'countPrimes', cpuItems);
      rows[rows.length - 1]!.processes = processes;
      await plainBullmq(url, plainQueue, 'noop', tinyItems);
      rows[rows.length - 1]!.processes = processes;
      await stopPlainWorkers(plain);

      // thread backend, same work
      const threads = new Pool({ workers: processes });
      await threads.map(tasks.countPrimes, cpuItems.slice(0, 8));
      seconds = await best(async () => void (await threads.map(tasks.countPrimes, cpuItems, { chunkSize: 1 })));
      record('cpu', processes, 'tandem threads, chunkSize 1', seconds, CPU_TASKS);
      seconds = await best(async () => void (await threads.map(tasks.noop, tinyItems)));
      record('tiny', processes, 'tandem threads, default chunks', seconds, TINY_TASKS);
      await threads.terminate();
    }
  } finally {
    await redis.kill();
  }
  console.log(render());
}

function render(): string {
  const lines = [
    `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ` +
      `redis-server on loopback. ${CPU_TASKS} CPU tasks of ~${PRIMES_LIMIT} primes each; ${TINY_TASKS} tiny (identity) tasks. ` +
      `Best of ${REPEATS}.`,
    '',
    '| work | worker processes | runner | seconds | tasks/s |',
    '| --- | ---: | --- | ---: | ---: |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.scenario} | ${r.processes} | ${r.runner} | ${r.seconds.toFixed(3)} | ${r.tasksPerSecond.toFixed(0)} |`,
    );
  }
  return lines.join('\n');
}

await main();
