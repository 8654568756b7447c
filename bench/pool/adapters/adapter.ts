/**
 * One small interface over the four pools, so every scenario runs the same code against
 * each library. Adapters are created fresh for each measurement and closed after it.
 */

export type Library = 'tandem' | 'piscina' | 'tinypool' | 'workerpool';

export const LIBRARIES: readonly Library[] = ['tandem', 'piscina', 'tinypool', 'workerpool'];

/**
 * Where the workers run. 'thread': worker threads (tandem's default backend, piscina, tinypool's
 * worker_threads runtime, workerpool's thread workers). 'process': child processes (tandem's
 * process backend, tinypool's child_process runtime, workerpool's process workers; piscina has none).
 */
export type Backend = 'thread' | 'process';

export const BACKENDS: readonly Backend[] = ['thread', 'process'];

/** The libraries compared on each backend. */
export const BACKEND_LIBRARIES: Record<Backend, readonly Library[]> = {
  thread: LIBRARIES,
  process: ['tandem', 'tinypool', 'workerpool'],
};

export interface PoolAdapter {
  readonly library: Library;
  readonly backend: Backend;
  /** The tiny task, one call. */
  increment(x: number): Promise<number>;
  /** The CPU-bound task, one call. */
  countPrimes(limit: number): Promise<number>;
  /**
   * Passes `buffer` to a worker, which answers its length: moved with the library's transfer
   * mechanism on threads, copied on processes (an IPC message cannot move memory).
   */
  sendBuffer(buffer: ArrayBuffer): Promise<number>;
  /** Passes `buffer` to a worker and back: each way moved on threads (if the library can), copied on processes. */
  echoBuffer(buffer: ArrayBuffer): Promise<ArrayBuffer>;
  /** Stops the pool and waits for its workers to exit. */
  close(): Promise<void>;
}

export const WORKERS_DIR = new URL('../workers/', import.meta.url);

/** Creates a started pool of `workers` threads or processes for `library`. Imported lazily so a run loads only what it uses. */
export async function createAdapter(library: Library, workers: number, backend: Backend): Promise<PoolAdapter> {
  if (!BACKEND_LIBRARIES[backend].includes(library)) throw new Error(`${library} has no ${backend} backend`);
  switch (library) {
    case 'tandem':
      return (await import('./tandem.ts')).createTandemAdapter(workers, backend);
    case 'piscina':
      return (await import('./piscina.ts')).createPiscinaAdapter(workers);
    case 'tinypool':
      return (await import('./tinypool.ts')).createTinypoolAdapter(workers, backend);
    case 'workerpool':
      return (await import('./workerpool.ts')).createWorkerpoolAdapter(workers, backend);
  }
}

/** The name a log line or table gives a library on a backend. */
export function libraryLabel(library: Library, backend: Backend): string {
  if (backend === 'thread') return library;
  switch (library) {
    case 'tandem':
      return 'tandem (process)';
    case 'tinypool':
      return 'tinypool (child_process)';
    case 'workerpool':
      return 'workerpool (process)';
    default:
      return library;
  }
}

/** `libraryLabel`, padded so a backend's log lines line up. */
export function logLabel(library: Library, backend: Backend): string {
  return libraryLabel(library, backend).padEnd(backend === 'thread' ? 10 : 24);
}
