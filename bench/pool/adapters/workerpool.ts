/**
 * workerpool behind the PoolAdapter interface. Threads: thread workers, transfers with
 * `exec(..., { transfer })`. Processes: `workerType: 'process'` with advanced serialization
 * (as tandem's process backend; the default, JSON, cannot carry an ArrayBuffer), buffers copied.
 */
import { fileURLToPath } from 'node:url';
import workerpool from 'workerpool';
import type { Backend, PoolAdapter } from './adapter.ts';
import { WORKERS_DIR } from './adapter.ts';

export function createWorkerpoolAdapter(workers: number, backend: Backend = 'thread'): PoolAdapter {
  const script = fileURLToPath(new URL('workerpool-worker.mjs', WORKERS_DIR));
  const pool =
    backend === 'process'
      ? workerpool.pool(script, {
          workerType: 'process',
          forkOpts: { serialization: 'advanced' },
          minWorkers: workers,
          maxWorkers: workers,
        })
      : workerpool.pool(script, { workerType: 'thread', minWorkers: workers, maxWorkers: workers });
  // workerpool's exec returns its own Promise class; wrapping it in a native promise keeps
  // every adapter's await cost the same.
  const exec = <T>(method: string, args: unknown[], transfer?: Transferable[]): Promise<T> =>
    Promise.resolve(pool.exec(method, args, transfer ? { transfer } : undefined) as PromiseLike<T>);
  const moves = backend === 'thread';
  return {
    library: 'workerpool',
    backend,
    increment: (x) => exec('increment', [x]),
    countPrimes: (limit) => exec('countPrimes', [limit]),
    sendBuffer: (buffer) => (moves ? exec('byteLength', [buffer], [buffer]) : exec('byteLength', [buffer])),
    echoBuffer: (buffer) => (moves ? exec('echoBuffer', [buffer], [buffer]) : exec('echo', [buffer])),
    close: async () => {
      await pool.terminate();
    },
  };
}
