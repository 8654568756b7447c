/**
 * integrity-shared: a producer process lists the files under a directory onto a bounded
 * queue; N checker processes compare each file with a baseline held in a SharedArray and
 * send alerts to a Manager list; a shared Value counts the files checked, which main shows
 * as a progress bar. Make the baseline first with make-baseline.ts.
 *
 *   npm run example -- integrity-shared [--workers 4] <dir> <baseline.json>
 */
import { readFile } from 'node:fs/promises';
import { Manager, Process, Queue, SharedArray, Value } from 'tandem';
import { parseOptions } from '../options.ts';
import type { Baseline } from './fingerprint.ts';
import { showProgress } from './progress.ts';
import tasks, { type Alert } from './tasks.ts';

const usage = 'integrity-shared [--workers 4] <dir> <baseline.json>';
const { options, positionals } = parseOptions(usage, { workers: 4 });
const [dir, baselineFile] = positionals;
if (dir === undefined || baselineFile === undefined) {
  console.error(
    `usage: ${usage}\nmake the baseline with: node --import tsx examples/integrity-shared/make-baseline.ts <dir> <baseline.json>`,
  );
  process.exit(2);
}

// One copy of the baseline for every checker: rows of [digest, size, mtimeNs] in shared memory.
const { files } = JSON.parse(await readFile(baselineFile, 'utf8')) as Baseline;
const known = Object.keys(files);
const baseline = new SharedArray(
  'biguint64',
  Object.values(files).flatMap(({ md5, size, mtimeNs }) => [BigInt(`0x${md5}`), BigInt(size), BigInt(mtimeNs)]),
);

const paths = new Queue<string>(64);
const found = new Value('int32', 0);
const checked = new Value('int32', 0);
const manager = new Manager();
const alerts = await manager.list<Alert>();

const producer = new Process({ target: tasks.produce, args: [dir, paths, found], name: 'producer' });
const checkers = Array.from(
  { length: Math.max(1, options.workers) },
  (_, i) =>
    new Process({
      target: tasks.check,
      args: [dir, known, baseline, paths, alerts, checked],
      name: `checker-${i + 1}`,
    }),
);
for (const worker of [producer, ...checkers]) worker.start();
const progress = showProgress(found, checked);
// Closing the queue once the producer is gone (whatever its fate) lets the checkers drain it and stop.
await producer.join();
paths.close();
await Promise.all(checkers.map((checker) => checker.join()));
progress.stop();

const failed = [producer, ...checkers].filter((worker) => worker.exitCode !== 0);
for (const worker of failed) console.error(`integrity-shared: ${worker.name} failed with exit code ${worker.exitCode}`);

const report = (await alerts.slice()).sort((a, b) => a.path.localeCompare(b.path) || a.kind.localeCompare(b.kind));
await manager.shutdown();
for (const { path, kind } of report) console.log(`${kind}: ${path}`);
console.log(report.length === 0 ? 'no changes' : `${report.length} alerts`);
if (failed.length > 0) process.exitCode = 1;
