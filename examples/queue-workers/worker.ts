/** queue-workers' worker: takes strings off the work queue until it is closed and empty. */
import { createHash } from 'node:crypto';
import { defineTasks, type Queue, QueueClosedError } from 'tandem';

/** What a worker reports after each item. */
export interface WorkerStats {
  worker: string;
  done: number;
  secondsPerItem: number;
}

/** SHA-512 applied `rounds` times, each round hashing the previous digest. */
export function iteratedSha512(input: string, rounds: number): string {
  let digest: Buffer = Buffer.from(input);
  for (let i = 0; i < rounds; i++) digest = createHash('sha512').update(digest).digest();
  return digest.toString('hex');
}

export default defineTasks(import.meta.url, {
  async hashUntilEmpty(
    name: string,
    work: Queue<string>,
    results: Queue<Record<string, string>>,
    stats: Queue<WorkerStats>,
    rounds: number,
  ): Promise<void> {
    const started = performance.now();
    for (let done = 1; ; done++) {
      let input: string;
      try {
        input = await work.get();
      } catch (error) {
        if (error instanceof QueueClosedError) return; // closed and drained: no more work
        throw error;
      }
      await results.put({ [input]: iteratedSha512(input, rounds) });
      const secondsPerItem = (performance.now() - started) / 1000 / done;
      await stats.put({ worker: name, done, secondsPerItem });
    }
  },
});
