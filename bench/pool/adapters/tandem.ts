/** tandem behind the PoolAdapter interface (single-call paths; map and imap are measured directly). */
import { Pool } from 'tandem';
import tasks from '../workers/tandem-tasks.ts';
import type { PoolAdapter } from './adapter.ts';

export function createTandemAdapter(workers: number): PoolAdapter & { readonly pool: Pool } {
  const pool = new Pool({ workers, name: 'bench' });
  return {
    library: 'tandem',
    pool,
    increment: (x) => pool.apply(tasks.increment, [x]),
    countPrimes: (limit) => pool.apply(tasks.countPrimes, [limit]),
    sendBuffer: (buffer) => pool.apply(tasks.byteLength, [buffer], { transfer: [buffer] }),
    echoBuffer: (buffer) => pool.apply(tasks.echoBuffer, [buffer], { transfer: [buffer] }),
    close: () => pool.terminate(),
  };
}
