/**
 * `tandem/pool`: the Pool and what using one takes (its options, results, errors, task tables),
 * without the rest of tandem: a program that only runs pools loads about half of tandem's
 * modules, and starts that much sooner (a command-line tool notices). Python has the same
 * split, `multiprocessing.pool`. Everything here is exported by `tandem` too, as the same
 * objects: `instanceof` holds across the two.
 */

export type { BackendKind } from './backends/backend.js';
export {
  AbortError,
  ArgumentCloneError,
  BootstrapError,
  InlineTaskError,
  PoolClosedError,
  RedisConnectionError,
  RedisPackagesMissingError,
  ResultCloneError,
  TandemError,
  TaskError,
  TimeoutError,
  WorkerExitError,
  WorkerInitError,
} from './errors.js';
export { AsyncResult } from './pool/async-result.js';
export type { CancelOptions } from './pool/call-guard.js';
export type { ApplyOptions, AsyncResultCallbacks, ImapOptions, MapOptions, PoolOptions } from './pool/options.js';
export { Pool, type PoolEvents } from './pool/pool.js';
export type { LatencySummary, PoolStats } from './pool/stats.js';
export { type AnyFunction, defineTasks, type TaskLocation, type TaskRef, type TaskTable } from './tasks.js';
export { transfer } from './transfer.js';
