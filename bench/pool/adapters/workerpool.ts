/** workerpool (thread workers) behind the PoolAdapter interface; transfers with `exec(..., { transfer })`. */
import { fileURLToPath } from 'node:url';
import workerpool from 'workerpool';
import type { PoolAdapter } from './adapter.ts';
import { WORKERS_DIR } from './adapter.ts';

export function createWorkerpoolAdapter(workers: number): PoolAdapter {
  const pool = workerpool.pool(fileURLToPath(new URL('workerpool-worker.mjs', WORKERS_DIR)), {
    workerType: 'thread',
    minWorkers: workers,
    maxWorkers: workers,
  });
  // workerpool's exec returns its own Promise class; wrapping it in a native promise keeps
  // every adapter's await cost the same.
  const exec = <T>(method: string, args: unknown[], transfer?: Transferable[]): Promise<T> =>
    Promise.resolve(pool.exec(method, args, transfer ? { transfer } : undefined) as PromiseLike<T>);
  return {
    library: 'workerpool',
    increment: (x) => exec('increment', [x]),
    countPrimes: (limit) => exec('countPrimes', [limit]),
    sendBuffer: (buffer) => exec('byteLength', [buffer], [buffer]),
    echoBuffer: (buffer) => exec('echoBuffer', [buffer], [buffer]),
    close: async () => {
      await pool.terminate();
    },
  };
}
