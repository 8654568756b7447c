/**
 * What a program knows about where it runs, as Python's current_process(), parent_process()
 * and cpu_count(). A worker learns who it is from its start data (WorkerStartData.origin),
 * set by entry/worker-context.ts before its first task runs; the main program, and anything
 * no tandem parent started (a Redis worker host), answers as Python's "MainProcess".
 */
import { realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { threadId } from 'node:worker_threads';
import type { WorkerOrigin, WorkerStartData } from '../protocol.js';

/** What currentProcess() tells about the running process or worker. */
export interface ProcessInfo {
  /** `'MainProcess'`, a Process's name, or a pool worker's (`tandem-1`...). */
  readonly name: string;
  /** The OS process id (a worker thread shares its parent's). */
  readonly pid: number;
  /** The worker thread's id; 0 on a process's main thread. */
  readonly threadId: number;
  /** Whether it ends when its parent does: a daemon Process, or a pool's worker. */
  readonly daemon: boolean;
  /** For a pool's worker: which pool (its `name` option) and which of its workers (1, 2...). */
  readonly pool: { readonly name: string; readonly workerId: number } | undefined;
}

/** What parentProcess() tells about the process or thread that started this worker. */
export interface ParentProcessInfo {
  /** Its currentProcess().name when it started this worker. */
  readonly name: string;
  readonly pid: number;
}

const MAIN_NAME = 'MainProcess';
let self: ProcessInfo | undefined;
let parent: ParentProcessInfo | undefined;

/**
 * The process (or worker thread) this code runs in: its name, pid, whether it is a daemon,
 * and, inside a pool's worker, which worker of which pool. Inline tasks run in the main
 * program, so there it describes the main program.
 *
 * @example
 * ```ts
 * // in a task: getLogger('job').info(`on ${currentProcess().name}`); // "on tandem-2"
 * ```
 */
export function currentProcess(): ProcessInfo {
  self ??= Object.freeze({ name: MAIN_NAME, pid: process.pid, threadId, daemon: false, pool: undefined });
  return self;
}

/** The process that started this worker, or undefined in the main program (as Python's parent_process()). */
export function parentProcess(): ParentProcessInfo | undefined {
  return parent;
}

/**
 * How many CPUs this process may use: `os.availableParallelism()`, which is also a Pool's
 * default `workers` (Python's cpu_count() counts every CPU of the machine; its 3.13
 * process_cpu_count() is this).
 */
export function cpuCount(): number {
  return availableParallelism();
}

/** Main side: the origin to give a worker this thread starts. */
export function workerOrigin(daemon: boolean, poolName: string | undefined): WorkerOrigin {
  const me = currentProcess();
  const main = programMainModule();
  return { daemon, poolName, parentName: me.name, parentPid: me.pid, ...(main ? { programMain: main } : {}) };
}

let programMain: string | undefined | null = null;

/**
 * The real path of the program's main module: in the main program, the script Node ran
 * (process.argv[1]); in a worker, what its parent said. Undefined for `node -e`, a REPL, or
 * a path that no longer resolves.
 */
export function programMainModule(): string | undefined {
  if (programMain === null) {
    programMain = undefined;
    const script = process.argv[1];
    if (script) {
      try {
        programMain = realpathSync(script);
      } catch {
        // Started from a path that is gone: no module can be matched against it.
      }
    }
  }
  return programMain;
}

/** Worker side: who this worker is, from its start data (entry/worker-context.ts). */
export function setWorkerIdentity(start: WorkerStartData): void {
  const origin = start.origin;
  if (origin === undefined) return;
  self = Object.freeze({
    name: start.workerName,
    pid: process.pid,
    threadId,
    daemon: origin.daemon,
    pool:
      origin.poolName === undefined ? undefined : Object.freeze({ name: origin.poolName, workerId: start.workerId }),
  });
  parent = Object.freeze({ name: origin.parentName, pid: origin.parentPid });
  programMain = origin.programMain;
}
