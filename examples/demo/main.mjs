// A short tour of tandem's Pool: run with `npm run demo`.
import { availableParallelism } from 'node:os';
import { Pool } from 'tandem';
import tasks from './tasks.mjs';

const pool = new Pool();
const limits = Array.from({ length: 16 }, (_, i) => 400_000 + i * 1000);

let started = performance.now();
const serial = limits.map((limit) => tasks.countPrimes(limit));
const serialMs = performance.now() - started;

started = performance.now();
const parallel = await pool.map(tasks.countPrimes, limits);
const parallelMs = performance.now() - started;

console.log(`primes below 400k..415k, 16 jobs, on ${pool.workers} workers (${availableParallelism()} cores)`);
console.log(`  one thread : ${serialMs.toFixed(0)} ms`);
console.log(
  `  pool.map   : ${parallelMs.toFixed(0)} ms (${(serialMs / parallelMs).toFixed(2)}x, workers started on demand)`,
);
console.log(`  same answers: ${JSON.stringify(serial) === JSON.stringify(parallel)}`);

let sum = 0;
for await (const doubled of pool.imapUnordered((n) => n * 2, [1, 2, 3])) sum += doubled;
console.log(`  imapUnordered over a self-contained inline function: sum ${sum}`);

pool.close();
await pool.join();
