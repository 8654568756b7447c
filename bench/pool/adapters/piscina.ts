/** piscina behind the PoolAdapter interface: a fixed-size pool, transfers with Piscina.move. Threads only. */
import Piscina from 'piscina';
import type { PoolAdapter } from './adapter.ts';
import { WORKERS_DIR } from './adapter.ts';

export function createPiscinaAdapter(workers: number): PoolAdapter {
  const pool = new Piscina({
    filename: new URL('piscina-worker.mjs', WORKERS_DIR).href,
    minThreads: workers,
    maxThreads: workers,
  });
  return {
    library: 'piscina',
    backend: 'thread',
    increment: (x) => pool.run(x, { name: 'increment' }),
    countPrimes: (limit) => pool.run(limit, { name: 'countPrimes' }),
    sendBuffer: (buffer) => pool.run(Piscina.move(buffer), { name: 'byteLength' }),
    echoBuffer: (buffer) => pool.run(Piscina.move(buffer), { name: 'echoBuffer' }),
    close: () => pool.destroy(),
  };
}
