/**
 * tinypool behind the PoolAdapter interface. Threads: the worker_threads runtime, transfers
 * with Tinypool.move. Processes: the child_process runtime with advanced serialization (as
 * tandem's process backend; the default, JSON, cannot carry an ArrayBuffer), buffers copied.
 */
import { fileURLToPath } from 'node:url';
import Tinypool from 'tinypool';
import type { Backend, PoolAdapter } from './adapter.ts';
import { WORKERS_DIR } from './adapter.ts';

export function createTinypoolAdapter(workers: number, backend: Backend = 'thread'): PoolAdapter {
  const filename = fileURLToPath(new URL('tinypool-worker.mjs', WORKERS_DIR));
  const threads = backend === 'thread';
  const pool = new Tinypool({
    filename,
    minThreads: workers,
    maxThreads: workers,
    ...(threads
      ? { runtime: 'worker_threads' }
      : {
          runtime: 'child_process',
          serialization: 'advanced',
          // The worker file is plain JavaScript: no TypeScript loader in the children (workerpool's get none either).
          execArgv: [],
        }),
  });
  // Threads move buffers (the worker's echoBuffer moves it back); processes copy them.
  const send = (buffer: ArrayBuffer) => (threads ? Tinypool.move(buffer) : buffer);
  return {
    library: 'tinypool',
    backend,
    increment: (x) => pool.run(x, { name: 'increment' }),
    countPrimes: (limit) => pool.run(limit, { name: 'countPrimes' }),
    sendBuffer: (buffer) => pool.run(send(buffer), { name: 'byteLength' }),
    echoBuffer: (buffer) => pool.run(send(buffer), { name: threads ? 'echoBuffer' : 'echo' }),
    close: () => pool.destroy(),
  };
}
