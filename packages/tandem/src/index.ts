/**
 * tandem: Python's multiprocessing for TypeScript on Node.js.
 * This module only re-exports the public surface.
 */

export type { BackendKind } from './backends/backend.js';
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
export { getLogger, type Logger } from './logging/get-logger.js';
export { setLogger } from './logging/parent-logger.js';
export { AsyncResult } from './pool/async-result.js';
export type { CancelOptions } from './pool/call-guard.js';
export type { ApplyOptions, ImapOptions, MapOptions, PoolOptions } from './pool/options.js';
export { Pool, type PoolEvents } from './pool/pool.js';
export type { LatencySummary, PoolStats } from './pool/stats.js';
export { Process, type ProcessOptions } from './process/process.js';
export { type AnyFunction, defineTasks, type TaskLocation, type TaskRef, type TaskTable } from './tasks.js';
