/**
 * Entry point of a worker thread (loaded by backends/thread.ts). Everything in this
 * file runs inside the worker.
 */
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { MainToWorker, WorkerStartData } from '../protocol.js';
import { JobRunner } from './job-runner.js';

const data = workerData as WorkerStartData & { port: MessagePort };
const port = data.port;

const runner = new JobRunner(
  {
    post: (message) => port.postMessage(message),
    receiveNow: () => receiveMessageOnPort(port)?.message as MainToWorker | undefined,
    exit: (code) => process.exit(code),
  },
  new Int32Array(data.control),
  data.epochMs,
);

// Report an uncaught error ourselves so the results finished before it are not lost.
process.on('uncaughtException', (error) => runner.crash(error));
port.on('message', (message: MainToWorker) => runner.accept(message));
void runner.start(data.initializer);
