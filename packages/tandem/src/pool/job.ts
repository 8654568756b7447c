/**
 * A job is the unit the scheduler queues and sends to a worker: one task over one or
 * more argument lists (a chunk). Calls (apply, map, imap...) own jobs and are told how
 * each one ended.
 */
import type { TransferListItem } from 'node:worker_threads';
import type { TaskSpec } from '../protocol.js';
import type { WorkerSlot } from './worker-slot.js';

/** A task as the scheduler knows it: the spec sent to workers, under a per-pool key. */
export interface ScheduledTask {
  readonly key: number;
  readonly spec: TaskSpec;
  /** For messages and errors: the export name, or `<inline>`. */
  readonly name: string;
}

export type JobOutcome =
  | { readonly ok: true; readonly values: unknown[] }
  /** `values` holds results of the items before the failure. */
  | { readonly ok: false; readonly values: unknown[]; readonly error: Error };

export interface JobOwner {
  /** Called exactly once per job that was submitted and not cancelled by its owner. */
  jobSettled(job: Job, outcome: JobOutcome, runMicros: number | undefined): void;
}

export type JobState = 'queued' | 'held' | 'settled';

export class Job {
  state: JobState = 'queued';
  slot: WorkerSlot | undefined = undefined;
  queuedAt = 0;
  dispatchedAt = 0;
  /** How many times the job went back to the queue because its worker died before it started. */
  requeues = 0;
  timer: NodeJS.Timeout | undefined = undefined;
  /** Some arguments are shared-object descriptors (shared/marshal.ts) the worker revives. */
  shared = false;

  constructor(
    readonly id: number,
    readonly task: ScheduledTask,
    readonly items: readonly (readonly unknown[])[],
    /** Index of the first item within its call's input, for error messages. */
    readonly firstIndex: number,
    readonly owner: JobOwner,
    readonly transfer: readonly TransferListItem[] = NO_TRANSFER,
  ) {}
}

const NO_TRANSFER: readonly TransferListItem[] = Object.freeze([]);
