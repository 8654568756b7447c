/** tandem behind the PoolAdapter interface (single-call paths; map and imap are measured directly). */
import { Pool } from 'tandem';
import tasks from '../workers/tandem-tasks.ts';
import type { Backend, PoolAdapter } from './adapter.ts';

export function createTandemAdapter(
  workers: number,
  backend: Backend = 'thread',
): PoolAdapter & { readonly pool: Pool } {
  const pool = new Pool({ workers, backend, name: 'bench' });
  // Child processes get copies whatever the call says, so the process adapter asks for no transfer.
  const moves = backend === 'thread';
  return {
    library: 'tandem',
    backend,
    pool,
    increment: (x) => pool.apply(tasks.increment, [x]),
    countPrimes: (limit) => pool.apply(tasks.countPrimes, [limit]),
    sendBuffer: (buffer) => pool.apply(tasks.byteLength, [buffer], moves ? { transfer: [buffer] } : undefined),
    echoBuffer: (buffer) => pool.apply(tasks.echoBuffer, [buffer], moves ? { transfer: [buffer] } : undefined),
    close: () => pool.terminate(),
  };
}
