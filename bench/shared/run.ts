/**
 * bench/shared: Queue throughput between two worker threads against a plain MessageChannel,
 * and Lock acquire/release uncontended and contended, on threads and across processes.
 * Writes the "tandem shared state (bench/shared)" section of docs/benchmarks.md, in place.
 *
 * Run: npm run build && node --import tsx bench/shared/run.ts [--quick]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { Barrier, Lock, Pool, Queue } from 'tandem';
import tasks, { type Mode, type Payload, type Span } from './tasks.ts';

const quick = process.argv.includes('--quick');
const REPEATS = quick ? 1 : 5;
const SECTION_TITLE = '## tandem shared state (bench/shared)';
const DOC = new URL('../../docs/benchmarks.md', import.meta.url);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const spanMs = (spans: Span[]) => Math.max(...spans.map((s) => s.end)) - Math.min(...spans.map((s) => s.start));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function warmPool(backend: 'thread' | 'process', workers: number): Promise<Pool> {
  const pool = new Pool({ workers, backend });
  await Promise.all(Array.from({ length: workers }, () => pool.apply(tasks.pause, [50])));
  return pool;
}

async function queueRun(pool: Pool, n: number, kind: Payload, mode: Mode): Promise<number> {
  const queue = new Queue<unknown>(1024, { capacityBytes: 4 << 20 });
  const spans = await Promise.all([
    pool.apply(tasks.queueConsume, [queue, n, mode]),
    pool.apply(tasks.queueProduce, [queue, n, kind, mode]),
  ]);
  return n / (spanMs(spans) / 1000);
}

async function portRun(pool: Pool, n: number, kind: Payload): Promise<number> {
  const { port1, port2 } = new MessageChannel();
  const spans = await Promise.all([
    pool.apply(tasks.portConsume, [port2, n], { transfer: [port2] }),
    pool.apply(tasks.portProduce, [port1, n, kind], { transfer: [port1] }),
  ]);
  return n / (spanMs(spans) / 1000);
}

async function lockRun(pool: Pool, parties: number, n: number, mode: Mode): Promise<number> {
  const lock = new Lock();
  const barrier = parties > 1 ? new Barrier(parties) : undefined;
  const spans = await Promise.all(
    Array.from({ length: parties }, () => pool.apply(tasks.lockLoop, [lock, n, mode, barrier])),
  );
  return (spanMs(spans) * 1e6) / (n * parties);
}

async function mainThreadLock(n: number): Promise<number> {
  const lock = new Lock();
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    await lock.acquire();
    lock.release();
  }
  return ((performance.now() - start) * 1e6) / n;
}

async function repeat(fn: () => Promise<number>): Promise<number> {
  const results: number[] = [];
  for (let i = 0; i < REPEATS; i++) results.push(await fn());
  return median(results);
}

async function main(): Promise<void> {
  const load = loadavg()[0] ?? 0;
  const N_SMALL = quick ? 20_000 : 200_000;
  const N_KIB = quick ? 10_000 : 100_000;
  const N_LOCK = quick ? 100_000 : 1_000_000;
  const N_LOCK_ASYNC = quick ? 20_000 : 200_000;
  const N_BROKER = quick ? 500 : 5_000;

  const threads = await warmPool('thread', 2);
  const queueRows: string[][] = [];
  for (const kind of ['small', 'kib'] as const) {
    const n = kind === 'small' ? N_SMALL : N_KIB;
    const label = kind === 'small' ? '`{ id, name }`' : '1 KiB string';
    const port = await repeat(() => portRun(threads, n, kind));
    const sync = await repeat(() => queueRun(threads, n, kind, 'sync'));
    const async = await repeat(() => queueRun(threads, n, kind, 'async'));
    queueRows.push([
      label,
      fmt(n),
      fmt(port),
      fmt(sync),
      (sync / port).toFixed(2),
      fmt(async),
      (async / port).toFixed(2),
    ]);
    console.log(`queue ${kind}: port ${fmt(port)}/s, sync ${fmt(sync)}/s, async ${fmt(async)}/s`);
  }

  const lockRows: string[][] = [];
  const add = (what: string, ns: number) => {
    lockRows.push([what, ns.toFixed(ns < 10 ? 1 : 0), fmt(1e9 / ns)]);
    console.log(`lock ${what}: ${ns.toFixed(1)} ns/op`);
  };
  add('main thread, `await acquire()` + `release()`, uncontended', await repeat(() => mainThreadLock(N_LOCK_ASYNC)));
  add(
    '1 worker thread, `acquireSync()` + `release()`, uncontended',
    await repeat(() => lockRun(threads, 1, N_LOCK, 'sync')),
  );
  add(
    '2 worker threads, `acquireSync()` + `release()`, contended',
    await repeat(() => lockRun(threads, 2, N_LOCK / 2, 'sync')),
  );
  add(
    '2 worker threads, `await acquire()` + `release()`, contended',
    await repeat(() => lockRun(threads, 2, N_LOCK_ASYNC / 2, 'async')),
  );
  await threads.terminate();

  const processes = await warmPool('process', 2);
  add(
    '1 child process, `await acquire()` + `release()` (brokered), uncontended',
    await repeat(() => lockRun(processes, 1, N_BROKER, 'async')),
  );
  add('2 child processes, brokered, contended', await repeat(() => lockRun(processes, 2, N_BROKER / 2, 'async')));
  await processes.terminate();

  const section = [
    SECTION_TITLE,
    '',
    `Machine: ${cpus().length} cores, ${cpus()[0]?.model.trim()}, Node ${process.version}, load average ${load.toFixed(2)} at the start; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    `Command: \`npm run build && node --import tsx bench/shared/run.ts\`. Each figure is the median of ${REPEATS} runs; workers time themselves, so pool dispatch is not counted.`,
    '',
    '### Queue throughput between two worker threads',
    '',
    'One thread puts, the other gets, through a `Queue(1024)` (strings encoded directly, objects with node:v8, into the shared ring), against the same items posted over a plain `MessageChannel` (unbounded, point to point, consumed with `on("message")`). The Queue is slower: each object costs a node:v8 serialize and deserialize from JavaScript (several µs), and a consumer that keeps up sleeps and is woken per item, where a port drains a batch per wake-up; what it buys is a bound (backpressure), any number of producers and consumers on any threads, and blocking `getSync()` in workers.',
    '',
    table(
      [
        'item',
        'items',
        'MessageChannel items/s',
        'Queue putSync/getSync items/s',
        '÷ channel',
        'Queue await put/get items/s',
        '÷ channel',
      ],
      queueRows,
    ),
    '',
    '### Lock acquire + release',
    '',
    'Uncontended and "contended" (two threads released together by a Barrier, each looping acquire+release). The critical section is empty, so on a loaded 2-core machine one thread often runs much of its loop while the other is descheduled: the contended rows are a floor, not a worst case. Brokered rows: a child process whose Lock lives in the parent; acquire is one IPC round trip, release one-way.',
    '',
    table(['case', 'ns per acquire+release', 'per second'], lockRows),
    '',
  ].join('\n');
  writeSection(section);
  console.log(`\n${section}`);
}

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** Replaces this section of docs/benchmarks.md (up to the next `## `), or appends it. */
function writeSection(section: string): void {
  const text = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Benchmarks\n';
  const start = text.indexOf(SECTION_TITLE);
  if (start === -1) {
    writeFileSync(DOC, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const next = text.indexOf('\n## ', start + SECTION_TITLE.length);
  const rest = next === -1 ? '' : text.slice(next + 1);
  writeFileSync(DOC, `${text.slice(0, start)}${section}${rest ? `\n${rest}` : ''}`);
}

await main();
