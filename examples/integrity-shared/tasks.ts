/**
 * integrity-shared's workers: a producer that lists the files, and checkers that compare each
 * with the baseline. They run on worker threads, where `.value` and `.array` are the shared
 * memory itself (in a child process they throw: use the async get() and set() there).
 */
import { join } from 'node:path';
import {
  defineTasks,
  getLogger,
  type ListProxy,
  type Queue,
  QueueClosedError,
  type SharedArray,
  type Value,
} from 'tandem';
import { filesUnder, fingerprint } from './fingerprint.ts';

/** One difference from the baseline. */
export interface Alert {
  path: string;
  kind: 'new file' | 'size changed' | 'timestamp changed' | 'content changed';
}

/** Each baseline row is [digest, size, mtimeNs]. */
export const ROW = 3;

const log = getLogger('integrity');

export default defineTasks(import.meta.url, {
  /** Puts every file's path on `paths`, counting them in `found`. */
  async produce(root: string, paths: Queue<string>, found: Value<'int32'>): Promise<void> {
    for (const path of await filesUnder(root)) {
      await paths.put(path); // waits while the bounded queue is full
      found.value += 1; // the only writer
    }
  },

  /** Checks paths until the queue is closed and empty; `known` lists the baseline's paths by row. */
  async check(
    root: string,
    known: string[],
    baseline: SharedArray<'biguint64'>,
    paths: Queue<string>,
    alerts: ListProxy<Alert>,
    checked: Value<'int32'>,
  ): Promise<void> {
    const rowOf = new Map(known.map((path, row) => [path, row]));
    for (;;) {
      let path: string;
      try {
        path = await paths.get();
      } catch (error) {
        if (error instanceof QueueClosedError) return;
        throw error;
      }
      try {
        const now = await fingerprint(join(root, path));
        const row = rowOf.get(path);
        if (row === undefined) {
          await alerts.push({ path, kind: 'new file' });
        } else {
          // The baseline is only read once loaded, so no lock is needed to read it.
          const [digest, size, mtimeNs] = baseline.array.subarray(row * ROW, row * ROW + ROW);
          if (now.size !== size) await alerts.push({ path, kind: 'size changed' });
          if (now.mtimeNs !== mtimeNs) await alerts.push({ path, kind: 'timestamp changed' });
          if (now.size === size && now.digest !== digest) await alerts.push({ path, kind: 'content changed' });
        }
      } catch (error) {
        log.warn({ path, reason: (error as Error).message }, 'cannot check a file');
      }
      // Several checkers add to it: the read-modify-write needs the lock, as in Python.
      await checked.getLock().withLock(() => {
        checked.value += 1;
      });
    }
  },
});
