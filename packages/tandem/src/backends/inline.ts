/**
 * The inline backend: tasks run on the calling thread, one at a time, through the same
 * runner and messages as a real worker, so the API, the ordering and the errors are the
 * same, and a debugger's breakpoint in a task just works.
 *
 * Messages are structured-cloned both ways, as they would be between threads, so a task
 * cannot mutate its caller's objects here when it could not elsewhere. What inline cannot
 * imitate: process.exit() in a task ends the whole program, an uncaught error in a task's
 * timer is the program's uncaught error, and stop() cannot interrupt a task that never yields.
 */
import type { TransferListItem } from 'node:worker_threads';
import { JobRunner } from '../entry/job-runner.js';
import { LocalBoard } from '../entry/running-board.js';
import type { MainToWorker, WorkerStartData, WorkerToMain } from '../protocol.js';
import { jobsInLanes, type StopSignal, type WorkerBackend, type WorkerHandle, type WorkerListener } from './backend.js';

const SIGNAL_CODES: Record<StopSignal, number> = { SIGTERM: -15, SIGKILL: -9 };

export class InlineBackend implements WorkerBackend {
  readonly kind = 'inline';
  readonly adaptivePipeline = true;
  readonly maxWorkers = 1;

  /** Runs any task: module tasks and inline functions alike. */
  checkTask(): void {}

  spawn(start: WorkerStartData, listener: WorkerListener): WorkerHandle {
    // `alive`: the runner may still post. `stopped`: stop() was called, and even messages
    // posted before it are dropped, as a terminated thread's would be.
    let alive = true;
    let stopped = false;
    const end = (code: number) => {
      if (!alive) return;
      alive = false;
      clearInterval(keepAlive);
      setImmediate(() => listener.onExit(code));
    };
    const board = new LocalBoard();
    // A busy worker keeps the program alive, as a busy thread would; an idle one does not.
    let keepAlive: NodeJS.Timeout | undefined;
    const runner = new JobRunner(
      {
        post: (message: WorkerToMain, transfer?: TransferListItem[]) => {
          if (!alive) return;
          const copy = structuredClone(message, transfer ? { transfer } : undefined);
          queueMicrotask(() => stopped || listener.onMessage(copy));
        },
        receiveNow: () => undefined,
        exit: end,
      },
      { mode: start.mode, workerName: start.workerName, board, lanes: start.lanes, ownsProcessExitCode: false },
    );
    setImmediate(() => void runner.start(start.initializer));
    return {
      pid: process.pid,
      threadId: undefined,
      send: (message: MainToWorker, transfer: readonly TransferListItem[]) => {
        const copy = structuredClone(message, { transfer: transfer as TransferListItem[] });
        setImmediate(() => alive && runner.accept(copy));
      },
      ...jobsInLanes(() => board.running()),
      stop: (signal) => {
        stopped = true;
        end(SIGNAL_CODES[signal]);
      },
      setKeepsParentAlive: (keep) => {
        clearInterval(keepAlive);
        keepAlive = keep && alive ? setInterval(() => {}, 2 ** 30) : undefined;
      },
    };
  }
}
