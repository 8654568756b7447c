/** The worker-threads backend: one Worker per pool worker, talking over a MessageChannel. */
import { MessageChannel, receiveMessageOnPort, type TransferListItem, Worker } from 'node:worker_threads';
import { readLanes } from '../entry/running-board.js';
import type { MainToWorker, WorkerStartData, WorkerToMain } from '../protocol.js';
import { controlBytes } from '../protocol.js';
import {
  jobsInLanes,
  type SpawnOptions,
  type StopSignal,
  type WorkerBackend,
  type WorkerHandle,
  type WorkerListener,
} from './backend.js';
import { LineWriter } from './output-relay.js';

const THREAD_ENTRY = new URL('../entry/thread-worker.js', import.meta.url);
const SIGNAL_CODES: Record<StopSignal, number> = { SIGTERM: -15, SIGKILL: -9, SIGINT: -2 };

export class ThreadBackend implements WorkerBackend {
  readonly kind = 'thread';
  readonly adaptivePipeline = true;
  readonly maxWorkers = Number.POSITIVE_INFINITY;

  /** Runs any task: module tasks and inline functions alike. */
  checkTask(): void {}
  constructor(private readonly options: SpawnOptions) {}

  spawn(start: WorkerStartData, listener: WorkerListener): WorkerHandle {
    // A dedicated channel rather than the Worker's own port: the worker drains it with
    // receiveMessageOnPort, and we drain it once more at exit so no result is lost.
    const { port1, port2 } = new MessageChannel();
    const control = new SharedArrayBuffer(controlBytes(start.lanes));
    const worker = new Worker(THREAD_ENTRY, {
      workerData: { ...start, control, port: port2 },
      transferList: [port2],
      name: start.workerName,
      ...(this.options.resourceLimits ? { resourceLimits: this.options.resourceLimits } : {}),
      ...(this.options.env ? { env: this.options.env } : {}),
      ...(this.options.execArgv ? { execArgv: this.options.execArgv } : {}),
    });
    const prefix = this.options.logPrefix ? `[${start.workerName}] ` : undefined;
    const output = { 1: new LineWriter(process.stdout, prefix), 2: new LineWriter(process.stderr, prefix) };
    const receive = (message: WorkerToMain) => {
      if (message.type === 'output') output[message.fd].write(message.text);
      else listener.onMessage(message);
    };
    const slots = new Int32Array(control);
    let stoppedWith: StopSignal | undefined;
    let uncaught = false;
    port1.on('message', receive);
    worker.on('error', (error) => {
      uncaught = true;
      listener.onError(error);
    });
    worker.on('exit', (code) => {
      for (let left = receiveMessageOnPort(port1); left; left = receiveMessageOnPort(port1)) {
        receive(left.message as WorkerToMain);
      }
      port1.close();
      output[1].end();
      output[2].end();
      // Node ends a thread whose error went uncaught with code 1; Bun (1.4) says 0.
      const exitCode = uncaught && code === 0 ? 1 : code;
      listener.onExit(stoppedWith ? SIGNAL_CODES[stoppedWith] : exitCode);
    });
    return {
      pid: process.pid,
      threadId: worker.threadId,
      send: (message: MainToWorker, transfer) => port1.postMessage(message, transfer as TransferListItem[]),
      ...jobsInLanes(() => readLanes(slots, start.epochMs)),
      stop: (signal) => {
        stoppedWith ??= signal;
        void worker.terminate();
      },
      setKeepsParentAlive: (keep) => {
        if (keep) {
          worker.ref();
          port1.ref();
        } else {
          worker.unref();
          port1.unref();
        }
      },
    };
  }
}
