/** What a Scheduler is made with (from the Pool's resolved options), and the initializer as workers get it. */
import type { EventEmitter } from 'node:events';
import type { WorkerBackend } from '../backends/backend.js';
import type { TaskSpec, WorkerStartData } from '../protocol.js';
import { type MarshalForm, marshalItems } from '../shared/marshal.js';

export interface SchedulerConfig {
  readonly backend: WorkerBackend;
  readonly maxWorkers: number;
  readonly poolName: string;
  readonly maxTasksPerWorker: number;
  /** Workers started with the pool and kept while it lives. */
  readonly minWorkers: number;
  /** ms a worker above minWorkers may idle before it exits (Infinity: never). */
  readonly idleTimeout: number;
  /** Jobs one worker runs at once (its lanes). */
  readonly lanes: number;
  readonly taskTimeout: number;
  readonly maxQueue: number;
  /** Jobs a busy worker may hold behind its running one regardless of their length. */
  readonly prefetch: number;
  readonly initializer: { readonly spec: TaskSpec; readonly args: readonly unknown[] } | undefined;
  /** Where pool events are emitted. */
  readonly events: EventEmitter;
}

/** The initializer with the shared objects among its args marshalled once, for every worker. */
export function marshalInitializer(
  initializer: SchedulerConfig['initializer'],
  form: MarshalForm,
): WorkerStartData['initializer'] {
  const marshalled = initializer && marshalItems([initializer.args], form)?.[0];
  return marshalled ? { spec: initializer.spec, args: marshalled, shared: true } : initializer;
}
