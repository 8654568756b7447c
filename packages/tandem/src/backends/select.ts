import type { BackendKind, SpawnOptions, WorkerBackend } from './backend.js';
import { ThreadBackend } from './thread.js';

/** The single place where a backend is chosen. */
export function createBackend(kind: BackendKind, options: SpawnOptions): WorkerBackend {
  switch (kind) {
    case 'thread':
      return new ThreadBackend(options);
    default:
      throw new TypeError(`unknown backend "${String(kind)}": use 'thread'`);
  }
}
