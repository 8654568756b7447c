/** Plain BullMQ usage for the comparison: one Worker, one job per task, the same functions. */
import { Worker } from 'bullmq';
import { countPrimes, noop } from './tasks.ts';

const [url, queue] = process.argv.slice(2) as [string, string];
const worker = new Worker(
  queue,
  async (job) => (job.name === 'countPrimes' ? countPrimes(job.data.x) : noop(job.data.x)),
  { connection: { url }, concurrency: 1 },
);
await worker.waitUntilReady();
process.stderr.write('plain worker: taking jobs\n');
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
