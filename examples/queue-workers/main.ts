/**
 * queue-workers: M random strings on a work queue, N worker processes hashing them (SHA-512
 * iterated K times), results on one queue and running statistics on another, which main
 * prints while the workers live. Runs with 1 worker, then with N, and prints both times.
 *
 *   npm run example -- queue-workers [--items 8] [--workers 4] [--rounds 1000000]
 */
import { randomBytes } from 'node:crypto';
import { Process, Queue, QueueEmptyError } from 'tandem';
import { parseOptions } from '../options.ts';
import tasks, { type WorkerStats } from './worker.ts';

const { options } = parseOptions('queue-workers [--items 8] [--workers 4] [--rounds 1000000]', {
  items: 8,
  workers: 4,
  rounds: 1_000_000,
});

const printStats = ({ worker, done, secondsPerItem }: WorkerStats) =>
  console.log(`  ${worker}: ${done} done, ${secondsPerItem.toFixed(3)} s per item`);

/** Hashes every input with `workerCount` workers; returns the seconds it took. */
async function hashAll(inputs: string[], workerCount: number): Promise<number> {
  console.log(`${workerCount} worker${workerCount === 1 ? '' : 's'}:`);
  const started = performance.now();
  const work = new Queue<string>();
  for (const input of inputs) await work.put(input);
  work.close(); // the workers drain it, then their get() fails: that is their signal to stop
  const results = new Queue<Record<string, string>>();
  const stats = new Queue<WorkerStats>();

  const workers = Array.from({ length: workerCount }, (_, i) => {
    const name = `worker-${i + 1}`;
    return new Process({ target: tasks.hashUntilEmpty, args: [name, work, results, stats, options.rounds], name });
  });
  for (const worker of workers) worker.start();
  while (workers.some((worker) => worker.isAlive())) {
    // Waits for the next report, or 200 ms, whichever comes first, then looks at the workers again.
    const report = await stats.get({ timeout: 200 }).catch((error) => {
      if (error instanceof QueueEmptyError) return undefined;
      throw error;
    });
    if (report) printStats(report);
  }
  while (!stats.empty()) printStats(stats.getNowait());
  const failed = workers.filter((worker) => worker.exitCode !== 0).map((worker) => worker.name);
  if (failed.length > 0) throw new Error(`workers failed: ${failed.join(', ')}`);

  const hashes: Record<string, string> = {};
  while (!results.empty()) Object.assign(hashes, results.getNowait());
  for (const input of inputs) console.log(`  ${input} -> ${hashes[input]}`);
  const seconds = (performance.now() - started) / 1000;
  console.log(`  total: ${inputs.length} items in ${seconds.toFixed(2)} s`);
  return seconds;
}

const inputs = Array.from({ length: options.items }, () => randomBytes(6).toString('base64url'));
const alone = await hashAll(inputs, 1);
const together = await hashAll(inputs, options.workers);
console.log(`${options.workers} workers were ${(alone / together).toFixed(2)}x as fast as 1`);
