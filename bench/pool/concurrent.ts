/**
 * concurrentTasksPerWorker (issue 16): one worker runs 1,000 tasks that each await a 10 ms
 * timer. tandem with 1 task per worker at a time, tandem with 16, and piscina with its own
 * concurrentTasksPerWorker 16, in alternating rounds in one process, so machine noise falls on
 * all of them alike. Prints a markdown table: median wall time per library and the ratios.
 *
 *   node --import tsx bench/pool/concurrent.ts [--rounds=5] [--tasks=1000] [--ms=10]
 */
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import Piscina from 'piscina';
import { Pool } from 'tandem';
import tasks from './workers/tandem-tasks.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    tasks: { type: 'string', default: '1000' },
    ms: { type: 'string', default: '10' },
  },
});
const rounds = Number(values.rounds);
const count = Number(values.tasks);
const waitMs = Number(values.ms);
const inputs = Array.from({ length: count }, () => waitMs);

interface Contender {
  readonly name: string;
  run(): Promise<unknown[]>;
  close(): Promise<void>;
}

function tandem(lanes: number): Contender {
  const pool = new Pool({ workers: 1, minWorkers: 1, concurrentTasksPerWorker: lanes });
  return {
    name: `tandem, concurrentTasksPerWorker ${lanes}`,
    // One call per task, as an I/O-bound caller makes them (map's chunks would run a chunk's items in turn).
    run: () => Promise.all(inputs.map((ms) => pool.apply(tasks.waitFor, [ms]))),
    close: () => pool.terminate(),
  };
}

function piscina(lanes: number): Contender {
  const pool = new Piscina({
    filename: new URL('./workers/piscina-worker.mjs', import.meta.url).href,
    minThreads: 1,
    maxThreads: 1,
    concurrentTasksPerWorker: lanes,
  });
  return {
    name: `piscina, concurrentTasksPerWorker ${lanes}`,
    run: () => Promise.all(inputs.map((ms) => pool.run(ms, { name: 'waitFor' }))),
    close: () => pool.destroy(),
  };
}

const contenders = [tandem(1), tandem(16), piscina(16)];
const times = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
for (const contender of contenders) await contender.run(); // warm up: workers started, modules loaded
for (let round = 0; round < rounds; round++) {
  // Alternate the order each round (ABC, CBA...), so no one always runs first.
  const order = round % 2 === 0 ? contenders : [...contenders].reverse();
  for (const contender of order) {
    const started = performance.now();
    const results = await contender.run();
    const elapsed = performance.now() - started;
    if (results.length !== count) throw new Error(`${contender.name} returned ${results.length} results`);
    times.get(contender.name)?.push(elapsed);
    process.stderr.write(`round ${round + 1}: ${contender.name}: ${elapsed.toFixed(0)} ms\n`);
  }
}
for (const contender of contenders) await contender.close();

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
const base = median(times.get(contenders[0]?.name as string) ?? []);
const piscinaTime = median(times.get(contenders[2]?.name as string) ?? []);
console.log(`One worker, ${count} tasks each awaiting a ${waitMs} ms timer, median of ${rounds} alternating rounds.`);
console.log(`Machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim()}), Node ${process.version}.\n`);
console.log('| library | median ms | speedup over tandem with 1 | time vs piscina 16 |');
console.log('| --- | ---: | ---: | ---: |');
for (const contender of contenders) {
  const m = median(times.get(contender.name) ?? []);
  console.log(`| ${contender.name} | ${m.toFixed(0)} | ${(base / m).toFixed(1)}x | ${(m / piscinaTime).toFixed(2)}x |`);
}
