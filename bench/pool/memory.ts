/**
 * imap and imapUnordered over an endless source: does memory stay flat? Pulls 10 million
 * tiny items through a 2-worker pool and samples the main thread's RSS and heap as it goes.
 *
 *   node --import tsx bench/pool/memory.ts [items]
 */
import { Pool } from 'tandem';
import tasks from './workers/tandem-tasks.ts';

const items = Number(process.argv[2] ?? 10_000_000);

function* endless() {
  for (let i = 0; ; i++) yield i;
}

for (const method of ['imap', 'imapUnordered'] as const) {
  const pool = new Pool({ workers: 2 });
  const samples: { at: number; rss: number; heap: number }[] = [];
  const started = performance.now();
  let seen = 0;
  for await (const _ of pool[method](tasks.increment, endless())) {
    if (++seen % 500_000 === 0) {
      const { rss, heapUsed } = process.memoryUsage();
      samples.push({ at: seen, rss, heap: heapUsed });
    }
    if (seen === items) break;
  }
  const seconds = (performance.now() - started) / 1000;
  await pool.terminate();
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  const first = samples[0];
  const last = samples[samples.length - 1];
  const peak = Math.max(...samples.map((s) => s.rss));
  if (!first || !last) throw new Error('too few items to sample');
  console.log(
    `| ${method} | ${items.toLocaleString('en')} | ${seconds.toFixed(1)} | ${mib(first.rss)} | ${mib(last.rss)} | ${mib(peak)} | ${mib(first.heap)} -> ${mib(last.heap)} |`,
  );
}
