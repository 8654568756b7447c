// One measurement for compare-builds.mjs, in a process of its own: a tandem build's dist
// (or piscina) doing sequential round trips or tiny tasks submitted at once.
//   node one-run.mjs latency|throughput DIST|piscina
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [scenario, build] = process.argv.slice(2);
const CALLS = { latency: 5000, throughput: 100_000 }[scenario];
if (CALLS === undefined) throw new Error(`unknown scenario ${scenario}: latency or throughput`);

const pool = build === 'piscina' ? await piscina() : await tandem(build);
for (let i = 0; i < 500; i++) await pool.call(i);
const cpuBefore = process.cpuUsage();
const started = performance.now();
let p50;
if (scenario === 'latency') {
  const times = [];
  for (let i = 0; i < CALLS; i++) {
    const t = performance.now();
    await pool.call(i);
    times.push((performance.now() - t) * 1000);
  }
  times.sort((a, b) => a - b);
  p50 = times[CALLS >> 1];
} else {
  await Promise.all(Array.from({ length: CALLS }, (_, i) => pool.call(i)));
}
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
console.log(JSON.stringify({ p50, ms, cpuMicrosPerCall: (cpu.user + cpu.system) / CALLS }));
await pool.close();

async function tandem(dist) {
  const distUrl = pathToFileURL(`${resolve(dist)}/index.js`).href;
  const { Pool } = await import(distUrl);
  // The task module must register with the build under test, so it is written for it.
  const scratch = new URL('../../.scratch/compare-pool/', import.meta.url);
  mkdirSync(scratch, { recursive: true });
  const module = new URL(`tasks-${createHash('sha256').update(distUrl).digest('hex').slice(0, 12)}.mjs`, scratch);
  writeFileSync(
    module,
    `import { defineTasks } from ${JSON.stringify(distUrl)};\nexport default defineTasks(import.meta.url, { identity: (x) => x });\n`,
  );
  const { default: tasks } = await import(module.href);
  const p = new Pool({ workers: 2 });
  return { call: (x) => p.apply(tasks.identity, [x]), close: () => p.terminate() };
}

async function piscina() {
  const { Piscina } = (await import('piscina')).default;
  const p = new Piscina({
    filename: new URL('./identity-task.mjs', import.meta.url).href,
    minThreads: 2,
    maxThreads: 2,
  });
  return { call: (x) => p.run(x), close: () => p.destroy() };
}
