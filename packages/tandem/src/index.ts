/**
 * tandem: Python's multiprocessing for TypeScript on Node.js.
 * This module only re-exports the public surface: the pool's part through pool-entry.ts (also
 * `tandem/pool`, for programs that run pools and nothing else), then the rest.
 */

export { Connection } from './connection/connection.js';
export { Pipe, type PipeOptions } from './connection/pipe.js';
export { waitConnections } from './connection/wait.js';
export {
  BrokenBarrierError,
  BrokenPipeError,
  EOFError,
  InvalidStateError,
  QueueClosedError,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  SyncUnavailableError,
} from './errors.js';
export { getLogger, type Logger } from './logging/get-logger.js';
export { setLogger } from './logging/parent-logger.js';
export { DictProxy } from './manager/dict-proxy.js';
export { ListProxy, type ListSortOptions } from './manager/list-proxy.js';
export { Manager, type ManagerWith } from './manager/manager.js';
export { NamespaceProxy } from './manager/namespace-proxy.js';
export { ObjectProxy, type Proxied } from './manager/object-proxy.js';
export * from './pool-entry.js';
export {
  cpuCount,
  currentProcess,
  type ParentProcessInfo,
  type ProcessInfo,
  parentProcess,
} from './process/identity.js';
export { activeChildren, Process, type ProcessOptions } from './process/process.js';
export { JoinableQueue } from './queue/joinable-queue.js';
export {
  Queue,
  type QueueOptions,
  type QueueShutdownOptions,
  type QueueWaitOptions,
} from './queue/queue.js';
export { SimpleQueue } from './queue/simple-queue.js';
export type { ElementOf, NumericType, TypedArrayOf } from './shared/numeric.js';
export { Shareable } from './shared/shareable.js';
export { RawArray, SharedArray } from './shared/shared-array.js';
export { RawValue, Value } from './shared/value.js';
export { Barrier, type BarrierOptions } from './sync/barrier.js';
export { Condition } from './sync/condition.js';
export { Event } from './sync/event.js';
export { Lock } from './sync/lock.js';
export type { AcquireOptions } from './sync/lock-like.js';
export { RLock } from './sync/rlock.js';
export { BoundedSemaphore, Semaphore } from './sync/semaphore.js';
