/**
 * calculate-e: a stoppable worker. A Process subclass sums the series for e until main sets
 * its exit Event; then the same with Pool.applyAsync; then a demo of two workers at once
 * (a directory walk beside calculate-e) while main prints their status.
 *
 *   npm run example -- calculate-e [--seconds 3] [--status-every 0.5] [dir]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Event, Pool, Process, Value } from 'tandem';
import { parseOptions } from '../options.ts';
import tasks, { CalculateE } from './e.ts';
import walker from './walker.ts';

const { options, positionals } = parseOptions('calculate-e [--seconds 3] [--status-every 0.5] [dir]', {
  seconds: 3,
  statusEvery: 0.5,
});
const dir = positionals[0] ?? '.';
// A stand-in for whatever else the main program has to do meanwhile.
const doOtherWork = () => sleep(options.seconds * 1000);

// 1. A Process subclass: set its exit Event, then ask it for the value.
const calculation = new CalculateE();
calculation.start();
await doOtherWork();
calculation.exit.set();
console.log(`Process subclass: e = ${await calculation.get()}`);
await calculation.join();

// 2. A pool task. Python needs a Manager's Event here; tandem's Event is a task argument as it is.
const pool = new Pool({ workers: 1 });
const exit = new Event();
const result = pool.applyAsync(tasks.calculateE, [exit]);
await doOtherWork();
exit.set();
console.log(`Pool.applyAsync: e = ${await result.get()}`);
pool.close();
await pool.join();

// 3. Two workers at once; main reports on them until the walk is done.
const files = new Value('float64', 0);
const bytes = new Value('float64', 0);
const walk = new Process({ target: walker.walk, args: [dir, files, bytes], name: 'walker' });
const background = new CalculateE();
walk.start();
background.start();
while (walk.isAlive()) {
  console.log(`status: walker ${files.value} files, ${bytes.value} bytes; calculate-e alive ${background.isAlive()}`);
  await walk.join(options.statusEvery * 1000);
}
background.exit.set();
const e = await background.get();
await background.join();
console.log(`walked ${dir}: ${files.value} files, ${bytes.value} bytes (walker exit code ${walk.exitCode})`);
console.log(`meanwhile: e = ${e}`);
