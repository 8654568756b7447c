/** Plain BullMQ usage, as the benchmarks compare it: one job per task, all added at once. */
import type { Queue, QueueEvents } from 'bullmq';

/** Adds one job per item with a single addBulk and resolves when QueueEvents saw them all complete. */
let seq = 0;
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
  const shaped = process.env.ZZ_SHAPE === '1';
  await queue.addBulk(
    xs.map((x) =>
      shaped
        ? {
            name,
            data: { v: 1, module: 'tasks.ts', name: 'noop', args: [[x]] },
            opts: { jobId: `tandem-0123456789ab-${++seq}`, removeOnComplete: true, removeOnFail: true, attempts: 1 },
          }
        : { name, data: { x }, opts: { removeOnComplete: true, removeOnFail: true } },
    ),
  );
  await done;
}
