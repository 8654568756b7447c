import type { BackendKind, SpawnOptions, WorkerBackend } from './backend.js';
import { InlineBackend } from './inline.js';
import { ProcessBackend } from './process.js';
import { ThreadBackend } from './thread.js';

export const BACKEND_KINDS: readonly BackendKind[] = ['thread', 'process', 'inline'];

/**
 * Whether a backend's workers share memory with the main side (threads and inline do; child
 * processes do not), which decides how shared objects travel to them (shared/marshal.ts).
 */
export function sharesMemory(kind: BackendKind): boolean {
  return kind !== 'process';
}

/** The single place where a backend is chosen. */
export function createBackend(kind: BackendKind, options: SpawnOptions): WorkerBackend {
  switch (kind) {
    case 'thread':
      return new ThreadBackend(options);
    case 'process':
      return new ProcessBackend(options);
    case 'inline':
      return new InlineBackend();
    default:
      throw new TypeError(`unknown backend "${String(kind)}": use 'thread', 'process' or 'inline'`);
  }
}
