// Sums a V8 .cpuprofile (node --cpu-prof) by where the code lives, to compare two runs' main
// threads (a second backup into a local repository and into one over SFTP): self time per
// group (ssh2, the AWS SDK, vigil's own files by folder, node's internals, GC, idle) and the
// heaviest functions. Usage: node bench/backup/profile-summary.mjs FILE.cpuprofile [TOP]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/backup/profile-summary.mjs FILE.cpuprofile [TOP]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map();
// timeDeltas[i] is the time before sample i: charge it to that sample's node.
for (const [i, id] of profile.samples.entries()) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));

function group(frame) {
  const url = frame.url ?? '';
  if (frame.functionName === '(idle)') return '(idle)';
  if (frame.functionName === '(garbage collector)') return '(gc)';
  if (frame.functionName === '(program)') return '(program)';
  if (url.includes('node_modules/ssh2')) return 'ssh2';
  if (url.includes('node_modules/@aws-sdk') || url.includes('node_modules/@smithy')) return 'aws-sdk';
  const vigil = /packages\/vigil\/dist\/(.*)\/[^/]+\.js$/.exec(url);
  if (vigil) return `vigil ${vigil[1]}/`;
  if (/packages\/vigil\/dist\/[^/]+\.js$/.test(url)) return 'vigil (top)';
  if (url.includes('packages/tandem')) return 'tandem';
  if (url.includes('node_modules/')) return `npm ${url.split('node_modules/')[1].split('/')[0]}`;
  if (url.startsWith('node:') || url === '') return 'node internals';
  return 'other';
}

const groups = new Map();
const functions = new Map();
let total = 0;
for (const [id, us] of selfUs) {
  const frame = byId.get(id).callFrame;
  total += us;
  const g = group(frame);
  groups.set(g, (groups.get(g) ?? 0) + us);
  const name = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
  functions.set(name, (functions.get(name) ?? 0) + us);
}
const ms = (us) => (us / 1000).toFixed(0).padStart(7);
console.log(`${file}: ${ms(total)} ms sampled, ${ms(total - (groups.get('(idle)') ?? 0))} ms busy`);
for (const [g, us] of [...groups].sort((a, b) => b[1] - a[1])) console.log(`${ms(us)} ms  ${g}`);
console.log('heaviest functions (self):');
const top = Number(topArg ?? 25);
for (const [name, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ms  ${name}`);
