/**
 * Inside a worker (thread or child process): wires a JobRunner to its transport and to the
 * process-wide hooks: uncaught errors and process.exit flush finished results first, and
 * getLogger() sends records through the runner.
 */

import { setLogSink } from '../logging/log-sink.js';
import type { MainToWorker, WorkerStartData } from '../protocol.js';
import { connectBroker } from './broker-client.js';
import { JobRunner, type WorkerTransport } from './job-runner.js';
import type { RunningJobBoard } from './running-board.js';

export function runWorker(
  start: WorkerStartData,
  transport: WorkerTransport,
  board: RunningJobBoard,
  listen: (accept: (message: MainToWorker) => void) => void,
): JobRunner {
  const runner = new JobRunner(transport, {
    mode: start.mode,
    workerName: start.workerName,
    board,
    lanes: start.lanes,
    ownsProcessExitCode: true,
  });
  setLogSink((record) => runner.log(record), start.workerName);
  connectBroker((message) => transport.post(message));
  // Report an uncaught error ourselves so the results finished before it are not lost.
  process.on('uncaughtException', (error) => runner.crash(error));
  const realExit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) => {
    runner.exiting(normaliseExitCode(code ?? process.exitCode));
    return realExit(code as number | undefined);
  }) as typeof process.exit;
  listen((message) => runner.accept(message));
  void runner.start(start.initializer);
  return runner;
}

function normaliseExitCode(code: number | string | null | undefined): number {
  const n = Number(code ?? 0);
  return Number.isInteger(n) ? n : 1;
}
