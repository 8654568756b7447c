/**
 * Issue 9's overhead aim, measured so that this noisy machine can decide it: tandem's Redis
 * backend against plain BullMQ on tiny (identity) tasks, one job per task, both set up once
 * in one process and run alternately (ABBA order, so a drift of the machine's speed falls on
 * both alike), many rounds.
 *
 * It reports
 * - wall time: the median of each round's tandem/plain ratio, with a 95% interval for that
 *   median (order statistics: no assumption about the noise's shape);
 * - instructions and CPU time per 1000 jobs of the caller, the worker processes and
 *   redis-server, counted by `perf stat` only while each side runs (bench/redis/perf-counter.ts).
 *   Instruction counts barely move with the machine's load.
 *
 * `--cpu` times CPU-bound jobs instead (countPrimes of bench/pool, ~7 ms each), the same way.
 *
 *   npm run build && node --import tsx bench/redis/overhead.ts [processes=2] [rounds=20] [jobs=5000]
 *     [--no-perf] [--workers=N] [--prefetch=N] [--cpu]
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { Pool } from 'tandem';
import { freePort, RedisServer, startWorker } from '../../packages/tandem/test/fixtures/redis-harness.ts';
import { PerfCounter, type PerfTotals, perfMissing } from './perf-counter.ts';
import { addAllAndAwait, startPlainWorkers, stopPlainWorkers } from './plain-bullmq.ts';
import tasks from './tasks.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const [processes, rounds, jobs] = [2, 20, 5000].map((fallback, i) => Number(positional[i] ?? fallback)) as [
  number,
  number,
  number,
];
/** Wall time only: perf's counters cost every context switch a little, and there are many. */
const countInstructions = !process.argv.includes('--no-perf');
/** The pool's defaults unless --workers=N / --prefetch=N: they bound the jobs in Redis at once. */
const window = Object.fromEntries(
  ['workers', 'prefetch'].flatMap((option) => {
    const value = process.argv.find((arg) => arg.startsWith(`--${option}=`))?.split('=')[1];
    return value === undefined ? [] : [[option, Number(value)]];
  }),
) as { workers?: number; prefetch?: number };
const cpuBound = process.argv.includes('--cpu');
const PRIMES_LIMIT = 150_000; // as bench/redis/run.ts
const work = cpuBound
  ? { task: tasks.countPrimes, plainName: 'countPrimes', item: () => PRIMES_LIMIT, label: 'CPU-bound' }
  : { task: tasks.noop, plainName: 'noop', item: (i: number) => i, label: 'tiny' };
const WARM_UP_RUNS = 2;
type Role = 'caller' | 'workers' | 'redis';
const ROLES: readonly Role[] = ['caller', 'workers', 'redis'];

interface Side {
  readonly name: 'tandem' | 'plain BullMQ';
  run(): Promise<void>;
  readonly counters: Record<Role, PerfCounter> | undefined;
  readonly wallMs: number[];
  stop(): Promise<void>;
}

async function countersFor(pids: Record<Role, number[]>): Promise<Record<Role, PerfCounter> | undefined> {
  if (!countInstructions || perfMissing() !== undefined) return undefined;
  const [caller, workers, redis] = await Promise.all(ROLES.map((role) => PerfCounter.attach(pids[role])));
  return { caller, workers, redis } as Record<Role, PerfCounter>;
}

async function tandemSide(url: string, redisPid: number, items: number[]): Promise<Side> {
  const workers = await Promise.all(Array.from({ length: processes }, () => startWorker(url, 'tandem', HERE)));
  const pool = new Pool({ backend: 'redis', connection: url, queue: 'tandem', root: HERE, ...window });
  return {
    name: 'tandem',
    run: async () => void (await pool.map(work.task, items, { chunkSize: 1 })),
    counters: await countersFor({ caller: [process.pid], workers: workers.map((w) => w.pid), redis: [redisPid] }),
    wallMs: [],
    stop: async () => {
      await pool.terminate();
      await Promise.all(workers.map((w) => w.stop()));
    },
  };
}

async function plainSide(url: string, redisPid: number, items: number[]): Promise<Side> {
  const children = await startPlainWorkers(url, 'plain', processes);
  const queue = new Queue('plain', { connection: { url } });
  const events = new QueueEvents('plain', { connection: { url } });
  await events.waitUntilReady();
  return {
    name: 'plain BullMQ',
    run: () => addAllAndAwait(queue, events, work.plainName, items),
    counters: await countersFor({
      caller: [process.pid],
      workers: children.map((c) => c.pid as number),
      redis: [redisPid],
    }),
    wallMs: [],
    stop: async () => {
      await Promise.all([queue.close(), events.close()]);
      await stopPlainWorkers(children);
    },
  };
}

async function measure(side: Side): Promise<void> {
  const counters = side.counters ? ROLES.map((role) => side.counters?.[role] as PerfCounter) : [];
  await Promise.all(counters.map((c) => c.enable()));
  const t0 = performance.now();
  await side.run();
  side.wallMs.push(performance.now() - t0);
  await Promise.all(counters.map((c) => c.disable()));
}

/** The median of `xs` and a distribution-free ~95% interval for it (ranks from the binomial). */
function medianWithInterval(xs: readonly number[]): { median: number; low: number; high: number } {
  const sorted = [...xs].sort((a, b) => a - b);
  const n = sorted.length;
  const middle = (n - 1) / 2;
  const median = ((sorted[Math.floor(middle)] as number) + (sorted[Math.ceil(middle)] as number)) / 2;
  const spread = Math.ceil(0.98 * Math.sqrt(n)); // 1.96 * sqrt(n) / 2
  const lowRank = Math.max(0, Math.floor(n / 2) - spread);
  const highRank = Math.min(n - 1, Math.ceil(n / 2) + spread - 1);
  return { median, low: sorted[lowRank] as number, high: sorted[highRank] as number };
}

const redis = new RedisServer(await freePort());
await redis.start();
const items = Array.from({ length: jobs }, (_, i) => work.item(i));
const tandem = await tandemSide(redis.url, redis.pid as number, items);
const plain = await plainSide(redis.url, redis.pid as number, items);
try {
  for (let i = 0; i < WARM_UP_RUNS; i++) {
    await tandem.run();
    await plain.run();
  }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [tandem, plain] : [plain, tandem];
    for (const side of order) await measure(side);
    process.stderr.write(
      `round ${round + 1}/${rounds}: tandem ${tandem.wallMs.at(-1)?.toFixed(0)} ms, plain ${plain.wallMs.at(-1)?.toFixed(0)} ms\n`,
    );
  }
  const totals = new Map<Side, Record<Role, PerfTotals> | undefined>();
  for (const side of [tandem, plain]) {
    const counters = side.counters;
    if (counters === undefined) totals.set(side, undefined);
    else {
      const [caller, workers, redisTotals] = await Promise.all(ROLES.map((role) => counters[role].totals()));
      totals.set(side, { caller, workers, redis: redisTotals } as Record<Role, PerfTotals>);
    }
  }
  console.log(report(totals));
} finally {
  await tandem.stop();
  await plain.stop();
  await redis.kill();
}

function report(totals: Map<Side, Record<Role, PerfTotals> | undefined>): string {
  const ratios = tandem.wallMs.map((ms, i) => ms / (plain.wallMs[i] as number));
  const ratio = medianWithInterval(ratios);
  const wall = (side: Side) => medianWithInterval(side.wallMs).median;
  const perThousand = jobs / 1000;
  const lines = [
    `Machine: ${cpus().length} x ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}. ${processes} worker ` +
      `processes, ${rounds} alternating rounds of ${jobs} ${work.label} jobs (one job per task) per side; pool ` +
      `${window.workers === undefined ? 'defaults' : `workers ${window.workers}, prefetch ${window.prefetch ?? 0}`}.`,
    '',
    `Wall time, tandem / plain BullMQ per round: median ${ratio.median.toFixed(3)} ` +
      `(95% interval ${ratio.low.toFixed(3)}-${ratio.high.toFixed(3)}); median run tandem ${wall(tandem).toFixed(0)} ms, ` +
      `plain ${wall(plain).toFixed(0)} ms.`,
    '',
  ];
  const tandemTotals = totals.get(tandem);
  const plainTotals = totals.get(plain);
  if (tandemTotals === undefined || plainTotals === undefined) {
    lines.push(`(No instruction counts: ${countInstructions ? perfMissing() : '--no-perf'}.)`);
    return lines.join('\n');
  }
  lines.push('| per 1000 jobs | tandem | plain BullMQ | tandem / plain |', '| --- | ---: | ---: | ---: |');
  const sum = (t: Record<Role, PerfTotals>, key: keyof PerfTotals) => ROLES.reduce((s, r) => s + t[r][key], 0);
  const row = (label: string, a: number, b: number, unit: (x: number) => string) =>
    lines.push(`| ${label} | ${unit(a)} | ${unit(b)} | ${(a / b).toFixed(3)} |`);
  const per = (x: number) => x / rounds / perThousand;
  const millions = (x: number) => `${(per(x) / 1e6).toFixed(1)} M`;
  const ms = (x: number) => `${per(x).toFixed(1)} ms`;
  for (const role of ROLES) {
    row(`instructions, ${role}`, tandemTotals[role].instructions, plainTotals[role].instructions, millions);
  }
  row('instructions, all', sum(tandemTotals, 'instructions'), sum(plainTotals, 'instructions'), millions);
  for (const role of ROLES) row(`CPU time, ${role}`, tandemTotals[role].cpuMs, plainTotals[role].cpuMs, ms);
  row('CPU time, all', sum(tandemTotals, 'cpuMs'), sum(plainTotals, 'cpuMs'), ms);
  const count = (x: number) => per(x).toFixed(0);
  for (const role of ROLES) {
    row(`context switches, ${role}`, tandemTotals[role].contextSwitches, plainTotals[role].contextSwitches, count);
  }
  return lines.join('\n');
}
