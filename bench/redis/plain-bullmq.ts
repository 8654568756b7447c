/** Plain BullMQ usage, as the benchmarks compare it: one job per task, all added at once. */
import type { Queue, QueueEvents } from 'bullmq';

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
