import { RUNTIME } from '../runtime.js';
import type { BackendKind, PoolBackendKind, SpawnOptions, WorkerBackend } from './backend.js';
import { InlineBackend } from './inline.js';
import { ProcessBackend } from './process.js';
import { RedisBackend, type RedisBackendOptions } from './redis.js';
import { ThreadBackend } from './thread.js';

export const BACKEND_KINDS: readonly BackendKind[] = ['thread', 'process', 'inline'];
/** What a Pool accepts: the local backends and BullMQ on Redis. */
export const POOL_BACKEND_KINDS: readonly PoolBackendKind[] = [...BACKEND_KINDS, 'redis'];

/**
 * Whether a backend's workers share memory with the main side (threads and inline do; child
 * processes do not), which decides how shared objects travel to them (shared/marshal.ts).
 */
export function sharesMemory(kind: PoolBackendKind): boolean {
  return kind !== 'process' && kind !== 'redis';
}

/** The single place where a backend is chosen. */
export function createBackend(
  kind: PoolBackendKind,
  options: SpawnOptions & { readonly redis?: RedisBackendOptions | undefined },
): WorkerBackend {
  if (options.resourceLimits !== undefined && RUNTIME !== 'node') {
    // Bun accepts the option and ignores it; on Deno a worker that reaches its limit is never
    // reported gone. Refuse rather than promise a limit that is not there.
    throw new TypeError(`resourceLimits: ${RUNTIME} does not limit the heap of workers; leave the option out there`);
  }
  switch (kind) {
    case 'thread':
      return new ThreadBackend(options);
    case 'process':
      return new ProcessBackend(options);
    case 'inline':
      return new InlineBackend();
    case 'redis':
      if (options.redis === undefined) throw new TypeError("backend 'redis' needs its connection and queue");
      return new RedisBackend(options.redis);
    default:
      throw new TypeError(`unknown backend "${String(kind)}": use 'thread', 'process', 'inline' or 'redis'`);
  }
}
