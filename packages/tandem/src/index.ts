/**
 * tandem: Python's multiprocessing for TypeScript on Node.js.
 * This module only re-exports the public surface.
 */
export {
  AbortError,
  InlineTaskError,
  InvalidStateError,
  PoolClosedError,
  QueueFullError,
  TandemError,
  TaskError,
  TimeoutError,
  WorkerExitError,
  WorkerInitError,
} from './errors.js';
export { AsyncResult } from './pool/async-result.js';
export type { CancelOptions } from './pool/call-guard.js';
export type { ApplyOptions, ImapOptions, MapOptions, PoolOptions } from './pool/options.js';
export { Pool, type PoolEvents } from './pool/pool.js';
export type { LatencySummary, PoolStats } from './pool/stats.js';
export { type AnyFunction, defineTasks, type TaskLocation, type TaskRef, type TaskTable } from './tasks.js';
