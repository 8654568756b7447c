/** Plain BullMQ usage, as the benchmarks compare it: one job per task, all added at once. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Queue, QueueEvents } from 'bullmq';
import { waitForLine } from '../../packages/tandem/test/fixtures/redis-harness.ts';

const WORKER = new URL('./plain-worker.ts', import.meta.url).pathname;

/** Starts `n` plain BullMQ worker processes (plain-worker.ts) on `queue`; resolves once each takes jobs. */
export function startPlainWorkers(url: string, queue: string, n: number): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', WORKER, url, queue], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      await waitForLine(child, 'stderr', /taking jobs/);
      return child;
    }),
  );
}

/** Kills the plain workers and waits until they are gone. */
export async function stopPlainWorkers(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }),
  );
}

/** Adds one job per item with a single addBulk and resolves when QueueEvents saw them all complete. */
export async function addAllAndAwait(
  queue: Queue,
  events: QueueEvents,
  name: string,
  xs: readonly number[],
): Promise<void> {
  let left = xs.length;
  const done = new Promise<void>((resolve) => {
    const onDone = () => {
      if (--left === 0) {
        events.off('completed', onDone);
        resolve();
      }
    };
    events.on('completed', onDone);
  });
  await queue.addBulk(xs.map((x) => ({ name, data: { x }, opts: { removeOnComplete: true, removeOnFail: true } })));
  await done;
}
