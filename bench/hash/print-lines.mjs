#!/usr/bin/env node
// The main thread's cost of printing checksum lines (vigil hash's TextPrinter over a stream
// that drops what it gets), per line, for 200,000 records of 32-byte digests and 30-byte names.
// Compare two builds in alternating rounds, so load on a shared machine falls on both alike:
//   node bench/hash/print-lines.mjs packages/vigil/dist OTHER_CHECKOUT/packages/vigil/dist
// (an older build: `git worktree add /tmp/old REV && cd /tmp/old && npm ci && npm run build`).
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

const LINES = 200_000;
const ROUNDS = 7;
const dists = process.argv.slice(2);
if (dists.length === 0) dists.push('packages/vigil/dist');
const printers = await Promise.all(
  dists.map(async (dist) => (await import(pathToFileURL(resolve(dist, 'report/text-printer.js')).href)).TextPrinter),
);
const records = Array.from({ length: LINES }, (_, i) => ({
  type: 'file',
  path: Buffer.from(`./some/dir/deeper/file-${i}.txt`),
  digest: randomBytes(32),
  size: 10,
}));
const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
sink.setMaxListeners(0); // a printer per round listens for its errors
const diagnostics = { warn() {}, flushStdout() {} };
const times = dists.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  printers.forEach((TextPrinter, i) => {
    const printer = new TextPrinter({
      algorithm: 'blake3',
      style: 'gnu',
      quiet: false,
      status: false,
      stdout: sink,
      diagnostics,
    });
    const start = process.hrtime.bigint();
    for (const record of records) printer.entry(record);
    printer.flush?.();
    times[i].push(Number(process.hrtime.bigint() - start) / 1e3 / LINES);
  });
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const [i, dist] of dists.entries()) {
  console.log(`${dist}: median ${median(times[i]).toFixed(2)} us a line over ${ROUNDS} rounds`);
}
if (dists.length === 2) console.log(`ratio (second / first): ${(median(times[1]) / median(times[0])).toFixed(2)}x`);
