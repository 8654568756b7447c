/**
 * Two builds of tandem (and piscina beside them) in alternating rounds, each measurement in a
 * process of its own, so load from other work on a shared machine falls on all alike: for a
 * change that must not make the pool slower.
 *
 *   node bench/pool/compare/compare-builds.mjs OTHER_DIST [--rounds=7]
 *
 * OTHER_DIST is another build's packages/tandem/dist (e.g. of a `git worktree` at the commit to
 * compare with); this checkout's packages/tandem/dist is "this". Two scenarios, both with 2
 * thread workers and an identity task: 5,000 sequential round trips (p50 and CPU per call, all
 * threads) and 100,000 tiny tasks submitted at once (wall time). Prints a markdown table of
 * medians, the spread of each (min-max over the rounds) and the ratios this/other.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: { rounds: { type: 'string', default: '7' } },
  allowPositionals: true,
});
if (positionals.length !== 1) throw new Error('usage: compare-builds.mjs OTHER_DIST [--rounds=N]');
const builds = {
  other: positionals[0],
  this: fileURLToPath(new URL('../../../packages/tandem/dist', import.meta.url)),
  piscina: 'piscina',
};
const oneRun = fileURLToPath(new URL('./one-run.mjs', import.meta.url));
const rounds = Number(values.rounds);

const results = {};
for (let round = 0; round < rounds; round++) {
  for (const scenario of ['latency', 'throughput']) {
    for (const [name, build] of Object.entries(builds)) {
      const out = execFileSync(process.execPath, [oneRun, scenario, build], { encoding: 'utf8' });
      const figures = JSON.parse(out.trim().split('\n').at(-1));
      results[scenario] ??= {};
      results[scenario][name] ??= [];
      results[scenario][name].push(figures);
    }
  }
  process.stderr.write(`round ${round + 1} of ${rounds}\n`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const spread = (xs) => `${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)}`;
const rows = [
  ['round trip p50 (µs)', 'latency', (f) => f.p50],
  ['round trip CPU per call (µs, all threads)', 'latency', (f) => f.cpuMicrosPerCall],
  ['100k tiny tasks at once (ms)', 'throughput', (f) => f.ms],
  ['100k tiny tasks, CPU per task (µs)', 'throughput', (f) => f.cpuMicrosPerCall],
];
console.log(`Node ${process.version}, ${rounds} alternating rounds; median (min-max)\n`);
console.log('| figure | other | this | piscina | this ÷ other | this ÷ piscina |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const [label, scenario, pick] of rows) {
  const of = (name) => results[scenario][name].map(pick);
  const [o, t, p] = [of('other'), of('this'), of('piscina')];
  console.log(
    `| ${label} | ${median(o).toFixed(1)} (${spread(o)}) | ${median(t).toFixed(1)} (${spread(t)}) | ${median(p).toFixed(1)} (${spread(p)}) | ${(median(t) / median(o)).toFixed(2)} | ${(median(t) / median(p)).toFixed(2)} |`,
  );
}
