/**
 * Inside a worker: runs jobs one at a time, in the order they arrive, and sends results
 * back in batches. Transport-agnostic: the thread, process and inline entries give it a
 * way to post a message, a way to take an already-arrived message without waiting, and a
 * way to exit.
 *
 * Batching is what makes tiny tasks cheap: while jobs keep arriving the runner keeps
 * draining them synchronously (no event-loop turn per job) and sends their results in one
 * message at least every FLUSH_AFTER_MS, and always before it awaits anything, goes idle,
 * or dies (uncaught error, process.exit).
 */

import type { TransferListItem } from 'node:worker_threads';
import type {
  JobMessage,
  JobResultMessage,
  LogRecord,
  MainToWorker,
  SerializedError,
  TaskSpec,
  WorkerStartData,
  WorkerToMain,
} from '../protocol.js';
import type { AnyFunction } from '../tasks.js';
import { collectTransfers } from '../transfer.js';
import { serializeError } from '../util/remote-error.js';
import { splitUnsendable } from '../util/uncloneable.js';
import { acceptBrokerReply } from './broker-client.js';
import { type ItemsOutcome, isThenable, runItems } from './run-items.js';
import type { RunningJobBoard } from './running-board.js';
import { loadTask } from './task-loader.js';

const FLUSH_AFTER_MS = 1;
/** What `record` gets when a job did not throw (a task may throw undefined). */
const NO_ERROR = Symbol('no error');

export interface WorkerTransport {
  /** Sends a message; `transfer` lists ArrayBuffers to move (threads) rather than copy. */
  post(message: WorkerToMain, transfer?: TransferListItem[]): void;
  /** The next message that has already arrived, without waiting; undefined if none. */
  receiveNow(): MainToWorker | undefined;
  /** Ends the worker with this exit code. */
  exit(code: number): void;
}

export interface RunnerOptions {
  readonly mode: 'pool' | 'process';
  readonly workerName: string;
  /** Where the runner records which jobs it is running, for the main side to read. */
  readonly board: RunningJobBoard;
  /** Jobs run at once (the pool's concurrentTasksPerWorker): each holds a lane of the board. */
  readonly lanes: number;
  /** Whether process.exitCode is this worker's own (not so inline, where it is the host program's). */
  readonly ownsProcessExitCode: boolean;
}

export class JobRunner {
  private readonly specs = new Map<number, TaskSpec>();
  private readonly functions = new Map<number, AnyFunction>();
  private readonly backlog: JobMessage[] = [];
  private backlogHead = 0;
  private unsent: JobResultMessage[] = [];
  /** What results in `unsent` asked to move with transfer(). */
  private readonly unsentTransfers: TransferListItem[] = [];
  private unsentSince = 0;
  /** Lanes no job runs in, as a stack; with one lane, jobs run one after another. */
  private readonly freeLanes: number[];
  /** Jobs waiting on something (an async item), each holding a lane. */
  private inFlight = 0;
  /** Inside pump(): a message accepted meanwhile is picked up by its loop. */
  private pumping = false;
  /** A flush is due at the end of this event-loop turn (see laneFreed). */
  private flushScheduled = false;
  private started = false;
  private closing = false;
  private anyJobFailed = false;
  /** Results finished so far go out before the runner waits on an async item. */
  private readonly itemHooks = { beforeWait: () => this.flush() };

  constructor(
    private readonly transport: WorkerTransport,
    private readonly options: RunnerOptions,
  ) {
    this.freeLanes = Array.from({ length: options.lanes }, (_, lane) => options.lanes - 1 - lane);
  }

  /** Runs the initializer, reports ready (or the failure), then starts taking jobs. */
  async start(initializer: WorkerStartData['initializer']): Promise<void> {
    if (initializer) {
      try {
        const fn = await loadTask(initializer.spec);
        const args = initializer.shared ? ((await reviveItems([initializer.args]))[0] as unknown[]) : initializer.args;
        await fn(...args);
      } catch (error) {
        this.transport.post({ type: 'initFailed', error: serializeError(error) });
        this.transport.exit(1);
        return;
      }
    }
    this.transport.post({ type: 'ready' });
    this.started = true;
    this.wake();
  }

  /** Takes one message from the main side. */
  accept(message: MainToWorker): void {
    if (message.type === 'run') {
      if (message.defines) for (const d of message.defines) this.specs.set(d.key, d.spec);
      for (const job of message.jobs) this.backlog.push(job);
    } else if (message.type === 'brokerReply') {
      acceptBrokerReply(message);
      return;
    } else {
      this.closing = true;
    }
    this.wake();
  }

  /** Sends the results computed so far. */
  flush(): void {
    if (this.unsent.length === 0) return;
    const results = this.unsent;
    const transfers = this.unsentTransfers.splice(0);
    this.unsent = [];
    try {
      this.transport.post({ type: 'results', results }, transfers.length > 0 ? transfers : undefined);
    } catch {
      this.postOneByOne(results);
    }
  }

  /**
   * The batch could not be cloned (a task returned a function, a Promise...): nothing of it
   * was sent. Sends each result alone (copied, not transferred), and in place of one that
   * cannot go, the values before its bad one and a ResultCloneError for that item, as
   * Python's MaybeEncodingError. The worker lives on.
   */
  private postOneByOne(results: JobResultMessage[]): void {
    for (const result of results) {
      try {
        this.transport.post({ type: 'results', results: [result] });
      } catch (error) {
        const { values, error: unsendable } = splitUnsendable(result.values, error);
        this.transport.post({
          type: 'results',
          results: [{ id: result.id, values, error: unsendable, runMicros: result.runMicros }],
        });
      }
    }
  }

  /** Sends a log record to the parent at once. */
  log(record: LogRecord): void {
    this.transport.post({ type: 'log', record });
  }

  /** An uncaught error: send finished results and the error, then exit with code 1. */
  crash(error: unknown): void {
    this.flush();
    this.transport.post({
      type: 'crash',
      error: serializeError(error),
      runningJobIds: this.options.board.runningJobIds(),
    });
    this.transport.exit(1);
  }

  /** A task called process.exit(code): send finished results and which job it was. */
  exiting(code: number): void {
    this.flush();
    this.transport.post({ type: 'exiting', code, runningJobIds: this.options.board.runningJobIds() });
  }

  /** A Process exits 1 if its target threw, else with the process.exitCode it set (default 0). */
  private exitCodeOnClose(): number {
    if (this.options.mode !== 'process') return 0;
    if (this.anyJobFailed) return 1;
    if (!this.options.ownsProcessExitCode) return 0;
    const code = Number(process.exitCode ?? 0);
    return Number.isInteger(code) ? code : 1;
  }

  private wake(): void {
    if (this.started && !this.pumping) this.pump();
  }

  private hasBacklog(): boolean {
    return this.backlogHead < this.backlog.length;
  }

  private nextJob(): JobMessage | undefined {
    while (!this.hasBacklog()) {
      if (this.backlogHead > 0) {
        this.backlog.length = 0;
        this.backlogHead = 0;
      }
      const message = this.transport.receiveNow();
      if (message === undefined) return undefined;
      this.accept(message);
    }
    const job = this.backlog[this.backlogHead];
    this.backlog[this.backlogHead++] = undefined as never;
    return job;
  }

  /**
   * Starts jobs while a lane is free. A synchronous job (the common case for small tasks)
   * runs to its end here and gives its lane back at once: no promise and no microtask per
   * job. A job that must wait keeps its lane until it settles, then pumps again. Messages
   * accepted while jobs wait (child-process IPC arrives in those turns) pump too, so no job
   * is left waiting while a lane is free.
   */
  private pump(): void {
    this.pumping = true;
    for (let lane = this.freeLanes.at(-1); lane !== undefined; lane = this.freeLanes.at(-1)) {
      const job = this.nextJob();
      if (job === undefined) break;
      const waiting = this.runJob(job, lane);
      if (waiting) {
        this.freeLanes.pop();
        this.inFlight++;
        // runJob records a task's failure itself: `waiting` never rejects.
        void waiting.then(() => this.laneFreed(lane));
      }
    }
    this.pumping = false;
    if (this.inFlight === 0) this.idle();
  }

  private laneFreed(lane: number): void {
    this.inFlight--;
    this.freeLanes.push(lane);
    this.pump();
    // Other jobs still wait and nothing more could start: send what finished at the end of
    // this turn of the event loop (not when they end), together with whatever else finishes
    // in it (timers due together end in one turn: one message rather than one each).
    if (this.inFlight > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  /** Nothing runs and nothing waits: send what finished; exit if asked to. */
  private idle(): void {
    this.flush();
    if (this.closing) this.transport.exit(this.exitCodeOnClose());
  }

  private runJob(job: JobMessage, lane: number): Promise<void> | undefined {
    const fn = this.functions.get(job.taskKey);
    if (fn === undefined || job.shared) return this.runJobAfterLoading(job, lane);
    return this.runItems(job, lane, fn, job.items, performance.now());
  }

  /** First use of a task (import its module) or shared objects among the arguments (revive them). */
  private async runJobAfterLoading(job: JobMessage, lane: number): Promise<void> {
    this.flush();
    let fn: AnyFunction;
    let items = job.items;
    try {
      fn = this.functions.get(job.taskKey) ?? (await this.resolve(job.taskKey));
      if (job.shared) items = await reviveItems(items);
    } catch (thrown) {
      this.record(job, lane, [], thrown, performance.now());
      return;
    }
    await this.runItems(job, lane, fn, items, performance.now());
  }

  /** Runs each item of a job (entry/run-items.ts); synchronous unless an item returns a promise. */
  private runItems(
    job: JobMessage,
    lane: number,
    fn: AnyFunction,
    items: readonly (readonly unknown[])[],
    startedAt: number,
  ): Promise<void> | undefined {
    this.options.board.set(lane, job.id, Date.now());
    // transfer() in the task adds to this job's results' transfer list. (Inline, two
    // runners on one thread could interleave here across an await; threads and child
    // processes have one runner each.)
    collectTransfers(this.unsentTransfers);
    const outcome = runItems(fn, items, this.itemHooks);
    if (isThenable(outcome)) return outcome.then((done) => this.recordOutcome(job, lane, done, startedAt));
    this.recordOutcome(job, lane, outcome, startedAt);
    return undefined;
  }

  private recordOutcome(job: JobMessage, lane: number, outcome: ItemsOutcome, startedAt: number): void {
    this.record(job, lane, outcome.values, outcome.failed ? outcome.thrown : NO_ERROR, startedAt);
  }

  /** Ends a job: clears the board, queues its result, and sends the batch when it is due. */
  private record(job: JobMessage, lane: number, values: unknown[], thrown: unknown, startedAt: number): void {
    collectTransfers(undefined);
    this.options.board.set(lane, 0, 0);
    let error: SerializedError | undefined;
    if (thrown !== NO_ERROR) {
      error = serializeError(thrown);
      this.reportFailure(thrown);
    }
    const finishedAt = performance.now();
    const runMicros = Math.round((finishedAt - startedAt) * 1000);
    if (this.unsent.length === 0) this.unsentSince = startedAt;
    this.unsent.push(
      error === undefined ? { id: job.id, values, runMicros } : { id: job.id, values, error, runMicros },
    );
    if (finishedAt - this.unsentSince >= FLUSH_AFTER_MS) this.flush();
  }

  /** A Process's target failed: print it where the child's stderr goes, as Python does. */
  private reportFailure(thrown: unknown): void {
    this.anyJobFailed = true;
    if (this.options.mode !== 'process') return;
    const detail = thrown instanceof Error ? (thrown.stack ?? `${thrown.name}: ${thrown.message}`) : String(thrown);
    process.stderr.write(`Process ${this.options.workerName}:\n${detail}\n`);
  }

  private async resolve(taskKey: number): Promise<AnyFunction> {
    const spec = this.specs.get(taskKey);
    if (spec === undefined) throw new Error(`internal: task key ${taskKey} was never defined for this worker`);
    const fn = await loadTask(spec);
    this.functions.set(taskKey, fn);
    return fn;
  }
}

/** Shared objects arrive as descriptors (shared/marshal.ts); the reviver loads on first use. */
async function reviveItems(items: readonly (readonly unknown[])[]): Promise<unknown[][]> {
  const { reviveArgs } = await import('../shared/revive.js');
  return items.map(reviveArgs);
}
