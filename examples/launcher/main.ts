/**
 * launcher: five processes of one worker function with different arguments; report each
 * one's exit code by name and warn if any failed.
 *
 *   npm run example -- launcher [--seed N] [--max-sleep ms]
 */
import { randomInt } from 'node:crypto';
import { Process } from 'tandem';
import { parseOptions } from '../options.ts';
import tasks, { seededRandom } from './worker.ts';

const { options } = parseOptions('launcher [--seed N] [--max-sleep ms]', {
  seed: randomInt(2 ** 31),
  maxSleep: 5000,
});

const visits = [
  ['Alice', 'New York'],
  ['Bob', 'Paris'],
  ['Chandra', 'Mumbai'],
  ['Dmitri', 'Moscow'],
  ['Emeka', 'Lagos'],
] as const;

// Each worker gets its own seed, drawn from ours: one --seed replays the whole run.
const random = seededRandom(options.seed);
const workers = visits.map(
  ([name, city]) =>
    new Process({
      target: tasks.visit,
      args: [name, city, Math.floor(random() * 2 ** 32), options.maxSleep],
      name,
      backend: 'process',
    }),
);
for (const worker of workers) worker.start();
await Promise.all(workers.map((worker) => worker.join()));

for (const worker of workers) console.log(`${worker.name}: exit code ${worker.exitCode}`);
const failed = workers.filter((worker) => worker.exitCode !== 0).map((worker) => worker.name);
if (failed.length > 0)
  console.warn(`warning: ${failed.length} of ${workers.length} workers failed: ${failed.join(', ')}`);
