import type { BackendKind, SpawnOptions, WorkerBackend } from './backend.js';
import { InlineBackend } from './inline.js';
import { ProcessBackend } from './process.js';
import { ThreadBackend } from './thread.js';

export const BACKEND_KINDS: readonly BackendKind[] = ['thread', 'process', 'inline'];

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
