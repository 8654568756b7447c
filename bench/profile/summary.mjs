#!/usr/bin/env node
// Summarises a V8 CPU profile (node --cpu-prof) of one thread: total sampled time, idle, GC,
// and the time spent inside the frames of the files whose URL matches PATTERN (inclusive:
// everything they call, node:fs and native code included), with the functions that took it.
//   node bench/profile/summary.mjs FILE.cpuprofile 'fs/(walk|listing)'
import { readFileSync } from 'node:fs';

const [file, pattern = 'fs/(walk|listing)'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const match = new RegExp(pattern);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const label = (node) => `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/.*\//, '')}`;

/** Per node id: whether a frame of PATTERN is on its stack. */
const inside = new Map();
const isInside = (id) => {
  if (inside.has(id)) return inside.get(id);
  const node = byId.get(id);
  const value = match.test(node.callFrame.url) || (parent.has(id) && isInside(parent.get(id)));
  inside.set(id, value);
  return value;
};

const ms = (us) => (us / 1000).toFixed(0);
let total = 0;
let idle = 0;
let gc = 0;
let walk = 0;
const selfInWalk = new Map();
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  const node = byId.get(id);
  total += dt;
  if (node.callFrame.functionName === '(idle)') idle += dt;
  if (node.callFrame.functionName === '(garbage collector)') gc += dt;
  if (isInside(id)) {
    walk += dt;
    selfInWalk.set(label(node), (selfInWalk.get(label(node)) ?? 0) + dt);
  }
});
console.log(`sampled ${ms(total)} ms: idle ${ms(idle)}, busy ${ms(total - idle)}, GC ${ms(gc)} (all of the thread)`);
console.log(`inside /${pattern}/: ${ms(walk)} ms (inclusive; GC is counted apart)`);
for (const [name, us] of [...selfInWalk].sort((a, b) => b[1] - a[1]).slice(0, 8))
  console.log(`  ${ms(us)} ms  ${name}`);
