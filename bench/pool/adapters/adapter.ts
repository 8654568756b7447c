/**
 * One small interface over the four pools, so every scenario runs the same code against
 * each library. Adapters are created fresh for each measurement and closed after it.
 */

export type Library = 'tandem' | 'piscina' | 'tinypool' | 'workerpool';

export const LIBRARIES: readonly Library[] = ['tandem', 'piscina', 'tinypool', 'workerpool'];

export interface PoolAdapter {
  readonly library: Library;
  /** The tiny task, one call. */
  increment(x: number): Promise<number>;
  /** The CPU-bound task, one call. */
  countPrimes(limit: number): Promise<number>;
  /** Moves `buffer` to a worker with the library's transfer mechanism; the worker answers its length. */
  sendBuffer(buffer: ArrayBuffer): Promise<number>;
  /** Moves `buffer` to a worker and back, each way with the library's transfer mechanism (if it has one). */
  echoBuffer(buffer: ArrayBuffer): Promise<ArrayBuffer>;
  /** Stops the pool and waits for its workers to exit. */
  close(): Promise<void>;
}

export const WORKERS_DIR = new URL('../workers/', import.meta.url);

/** Creates a started pool of `workers` threads for `library`. Imported lazily so a run loads only what it uses. */
export async function createAdapter(library: Library, workers: number): Promise<PoolAdapter> {
  switch (library) {
    case 'tandem':
      return (await import('./tandem.ts')).createTandemAdapter(workers);
    case 'piscina':
      return (await import('./piscina.ts')).createPiscinaAdapter(workers);
    case 'tinypool':
      return (await import('./tinypool.ts')).createTinypoolAdapter(workers);
    case 'workerpool':
      return (await import('./workerpool.ts')).createWorkerpoolAdapter(workers);
  }
}
