/** tinypool (worker_threads runtime) behind the PoolAdapter interface; transfers with Tinypool.move. */
import { fileURLToPath } from 'node:url';
import Tinypool from 'tinypool';
import type { PoolAdapter } from './adapter.ts';
import { WORKERS_DIR } from './adapter.ts';

export function createTinypoolAdapter(workers: number): PoolAdapter {
  const pool = new Tinypool({
    filename: fileURLToPath(new URL('tinypool-worker.mjs', WORKERS_DIR)),
    runtime: 'worker_threads',
    minThreads: workers,
    maxThreads: workers,
  });
  return {
    library: 'tinypool',
    increment: (x) => pool.run(x, { name: 'increment' }),
    countPrimes: (limit) => pool.run(limit, { name: 'countPrimes' }),
    sendBuffer: (buffer) => pool.run(Tinypool.move(buffer), { name: 'byteLength' }),
    echoBuffer: (buffer) => pool.run(Tinypool.move(buffer), { name: 'echoBuffer' }),
    close: () => pool.destroy(),
  };
}
