/**
 * What an await costs inside a pool's worker, against a bare worker thread: each runs
 * `awaitLoop` (work.mjs: N awaited async calls, timed inside the worker) in alternating rounds.
 * On Node 20 and 22 an AsyncLocalStorage entered in a thread makes every later promise pay for
 * promise hooks; tandem's bootstrapping guard enters one only where that is free or for the
 * program's main module (util/bootstrap.ts), so its workers should match the bare thread.
 *
 *   node --import tsx bench/pool/awaits.ts [--rounds=7] [--count=200000]
 */
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Pool } from 'tandem';
import tasks from './workers/tandem-tasks.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '7' }, count: { type: 'string', default: '200000' } },
});
const rounds = Number(values.rounds);
const count = Number(values.count);

const pool = new Pool({ workers: 1 });
const bare = new Worker(new URL('./workers/await-worker.mjs', import.meta.url));
const onBare = async (): Promise<number> => {
  bare.postMessage(count);
  const [ms] = (await once(bare, 'message')) as [number];
  return ms;
};
const onPool = (): Promise<number> => pool.apply(tasks.awaitLoop, [count]);
await onPool();
await onBare();

const times: Record<'tandem' | 'bare', number[]> = { tandem: [], bare: [] };
for (let round = 0; round < rounds; round++) {
  times.tandem.push(await onPool());
  times.bare.push(await onBare());
}
await pool.terminate();
await bare.terminate();

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;
const tandem = median(times.tandem);
const thread = median(times.bare);
console.log(`Node ${process.version}: ${count} awaited async calls inside the worker, median of ${rounds} rounds`);
console.log('| worker | ms | ÷ bare thread |');
console.log('| --- | ---: | ---: |');
console.log(`| tandem pool worker | ${tandem.toFixed(1)} | ${(tandem / thread).toFixed(2)} |`);
console.log(`| bare worker thread | ${thread.toFixed(1)} | 1.00 |`);
