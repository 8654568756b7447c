/** Worker side of bench/shared: each task times itself, in epoch milliseconds, so dispatch is not counted. */
import type { MessagePort } from 'node:worker_threads';
import { type Barrier, defineTasks, type Lock, type Queue } from 'tandem';

export type Payload = 'small' | 'kib';
export type Mode = 'sync' | 'async';

export interface Span {
  readonly start: number;
  readonly end: number;
}

const now = () => performance.timeOrigin + performance.now();

function item(kind: Payload, i: number): unknown {
  return kind === 'small' ? { id: i, name: 'item' } : `${i}:${'x'.repeat(1020)}`;
}

export default defineTasks(import.meta.url, {
  /** Nothing, for a while: used to make the pool start all its workers. */
  pause: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),

  async queueProduce(queue: Queue<unknown>, n: number, kind: Payload, mode: Mode): Promise<Span> {
    const start = now();
    if (mode === 'sync') for (let i = 0; i < n; i++) queue.putSync(item(kind, i));
    else for (let i = 0; i < n; i++) await queue.put(item(kind, i));
    return { start, end: now() };
  },

  async queueConsume(queue: Queue<unknown>, n: number, mode: Mode): Promise<Span> {
    const start = now();
    if (mode === 'sync') for (let i = 0; i < n; i++) queue.getSync();
    else for (let i = 0; i < n; i++) await queue.get();
    return { start, end: now() };
  },

  portProduce(port: MessagePort, n: number, kind: Payload): Span {
    const start = now();
    for (let i = 0; i < n; i++) port.postMessage(item(kind, i));
    const end = now();
    port.close();
    return { start, end };
  },

  portConsume(port: MessagePort, n: number): Promise<Span> {
    const start = now();
    let seen = 0;
    return new Promise((resolve) => {
      port.on('message', () => {
        if (++seen === n) {
          const end = now();
          port.close();
          resolve({ start, end });
        }
      });
    });
  },

  /** acquire/release n times, after all parties passed the barrier (so contention is real). */
  async lockLoop(lock: Lock, n: number, mode: Mode, barrier: Barrier | undefined): Promise<Span> {
    if (barrier) await barrier.wait();
    const start = now();
    if (mode === 'sync') {
      for (let i = 0; i < n; i++) {
        lock.acquireSync();
        lock.release();
      }
    } else {
      for (let i = 0; i < n; i++) {
        await lock.acquire();
        lock.release();
      }
    }
    return { start, end: now() };
  },
});
