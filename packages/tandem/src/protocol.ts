/**
 * Messages between the pool (main side) and a worker, one discriminated union per
 * direction, plus the layout of the small shared control block each worker has.
 */

/** How a worker finds the function to run. */
export type TaskSpec =
  | { readonly kind: 'module'; readonly moduleUrl: string; readonly name: string }
  | { readonly kind: 'inline'; readonly source: string; readonly name: string };

/** A task spec announced once per worker under a small integer key, so jobs stay small. */
export interface TaskDefinition {
  readonly key: number;
  readonly spec: TaskSpec;
}

/** One job: run `taskKey` over each argument list of `items`, in order. */
export interface JobMessage {
  readonly id: number;
  readonly taskKey: number;
  readonly items: readonly (readonly unknown[])[];
  /** Set when some arguments are shared-object descriptors the worker must revive first. */
  readonly shared?: true;
}

export type MainToWorker =
  /** Jobs to run in order. New task keys used by them are defined first. */
  | {
      readonly type: 'run';
      readonly defines: readonly TaskDefinition[] | undefined;
      readonly jobs: readonly JobMessage[];
    }
  /** Finish: the worker exits with code 0. Sent only when it holds no job. */
  | { readonly type: 'close' }
  /** The answer to a brokerCall: its value, or the error it failed with (shared/broker.ts). */
  | {
      readonly type: 'brokerReply';
      readonly callId: number;
      readonly value?: unknown;
      readonly error?: SerializedError;
      /** Set when shared objects in `value` travel as descriptors (a proxy read from a Manager dict). */
      readonly shared?: true;
    };

/** An error thrown in a worker, flattened so it survives structured cloning faithfully. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly code?: unknown;
  readonly cause?: SerializedError | undefined;
}

/**
 * The `code` of the SerializedError a worker sends in place of a result that cannot be
 * cloned; the main side turns it into ResultCloneError.
 */
export const RESULT_CLONE_CODE = 'ERR_TANDEM_RESULT_CLONE';

/** The outcome of one job. `values` holds the results of the items before any error. */
export interface JobResultMessage {
  readonly id: number;
  readonly values: unknown[];
  /** Set when the item at index `values.length` threw. */
  readonly error?: SerializedError;
  /** Time spent running the job, in microseconds. */
  readonly runMicros: number;
}

export type WorkerToMain =
  /** The initializer (if any) ran; the worker is taking jobs. */
  | { readonly type: 'ready' }
  | { readonly type: 'results'; readonly results: readonly JobResultMessage[] }
  /** The initializer threw; the worker exits next. */
  | { readonly type: 'initFailed'; readonly error: SerializedError }
  /** An uncaught exception ends the worker; results computed before it were sent first. */
  | { readonly type: 'crash'; readonly error: SerializedError; readonly runningJobIds: readonly number[] }
  /** The worker called process.exit(code); results computed before it were sent first. */
  | { readonly type: 'exiting'; readonly code: number; readonly runningJobIds: readonly number[] }
  /** Text a worker thread wrote to its stdout (1) or stderr (2). */
  | { readonly type: 'output'; readonly fd: 1 | 2; readonly text: string }
  /** The worker is exiting; nothing follows. */
  | { readonly type: 'bye' }
  /** A structured log record from getLogger() inside the worker. */
  | { readonly type: 'log'; readonly record: LogRecord }
  /**
   * A proxy in the worker asks the parent to run `method(...args)` on the shared object it
   * keeps under `objectId` (shared/broker.ts). callId 0: one-way, no reply wanted.
   */
  | {
      readonly type: 'brokerCall';
      readonly callId: number;
      readonly objectId: string;
      readonly method: string;
      readonly args: readonly unknown[];
      /** Set when shared objects among `args` travel as descriptors (a proxy stored in a Manager dict). */
      readonly shared?: true;
    };

/** What getLogger() in a worker sends to the parent's logger. */
export interface LogRecord {
  readonly level: LogLevel;
  readonly logger: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>> | undefined;
  readonly time: number;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** Who a worker is and who started it: what currentProcess() and parentProcess() say inside it. */
export interface WorkerOrigin {
  /** Whether the worker ends when its parent does (a pool's workers do, as Python's). */
  readonly daemon: boolean;
  /** The pool's name, for a pool's worker. */
  readonly poolName: string | undefined;
  /** currentProcess().name and pid of the thread that started the worker. */
  readonly parentName: string;
  readonly parentPid: number;
  /**
   * The real path of the program's main module (the script Node was started with), if known:
   * a worker importing it gets the full bootstrapping guard (util/bootstrap.ts).
   */
  readonly programMain?: string;
}

/** What a worker is given when it starts. */
export interface WorkerStartData {
  readonly workerId: number;
  /** The worker's name, for log records and `Process` error reports. */
  readonly workerName: string;
  /**
   * 'pool': run jobs until told to close, then exit 0. 'process': the worker of a Process:
   * a failed job prints its stack to stderr, and on close the exit code is 1 if any failed.
   */
  readonly mode: 'pool' | 'process';
  /**
   * Laid out as described by the CONTROL_* constants: a SharedArrayBuffer for threads; for
   * child processes (which share no memory) the child keeps its own and reports the running
   * job in its crash and exit messages instead.
   */
  readonly control: SharedArrayBuffer | undefined;
  /** For currentProcess() in the worker; absent where nobody says (it then answers as a main process). */
  readonly origin?: WorkerOrigin;
  /** Date.now() when the worker was spawned; CONTROL_JOB_STARTED counts from it. */
  readonly epochMs: number;
  /** Jobs the worker runs at once (the pool's concurrentTasksPerWorker; 1 for a Process). */
  readonly lanes: number;
  /** `shared`: descriptors of shared objects sit among `args` (shared/marshal.ts). */
  readonly initializer:
    | { readonly spec: TaskSpec; readonly args: readonly unknown[]; readonly shared?: true }
    | undefined;
}

/*
 * Control block layout (Int32Array over `WorkerStartData.control`): one lane per job the
 * worker may run at once (`WorkerStartData.lanes`, the pool's concurrentTasksPerWorker),
 * CONTROL_SLOTS_PER_LANE slots each, lane i at i * CONTROL_SLOTS_PER_LANE:
 *
 * CONTROL_CURRENT_JOB: the id of the job running in the lane, 0 when it is free (and while
 * the worker is still importing the job's task module).
 * CONTROL_JOB_STARTED: when that job started, in ms since `WorkerStartData.epochMs`.
 *
 * Only the worker writes them: STARTED first, then CURRENT, both with Atomics.store, so a
 * reader that sees CURRENT == id (Atomics.load) also sees that job's start time. The main
 * side reads them when a task timer fires (to time a task from when it started, not from
 * when it was sent) and after the worker has exited (to tell the jobs that were running when
 * it died from jobs it held but had not started; the exit event follows the last store).
 */
export const CONTROL_CURRENT_JOB = 0;
export const CONTROL_JOB_STARTED = 1;
export const CONTROL_SLOTS_PER_LANE = 2;

/** Bytes of the control block of a worker with `lanes` lanes. */
export function controlBytes(lanes: number): number {
  return lanes * CONTROL_SLOTS_PER_LANE * Int32Array.BYTES_PER_ELEMENT;
}

/** Job ids live in an Int32 slot: they count up from 1 and wrap before 2^31. */
export const MAX_JOB_ID = 0x7fff_ffff;
