/** The worker-threads backend: one Worker per pool worker, talking over a MessageChannel. */
import type { TransferListItem } from 'node:worker_threads';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MainToWorker, WorkerStartData, WorkerToMain } from '../protocol.js';
import { CONTROL_CURRENT_JOB, CONTROL_JOB_STARTED } from '../protocol.js';
import type { SpawnOptions, WorkerBackend, WorkerHandle, WorkerListener } from './backend.js';

const THREAD_ENTRY = new URL('../entry/thread-worker.js', import.meta.url);

export class ThreadBackend implements WorkerBackend {
  readonly kind = 'thread';
  constructor(private readonly options: SpawnOptions) {}

  spawn(start: WorkerStartData, listener: WorkerListener): WorkerHandle {
    // A dedicated channel rather than the Worker's own port: the worker drains it with
    // receiveMessageOnPort, and we drain it once more at exit so no result is lost.
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(THREAD_ENTRY, {
      workerData: { ...start, port: port2 },
      transferList: [port2],
      name: `${this.options.name} #${start.workerId}`,
      ...(this.options.resourceLimits ? { resourceLimits: this.options.resourceLimits } : {}),
      ...(this.options.env ? { env: this.options.env } : {}),
      ...(this.options.execArgv ? { execArgv: this.options.execArgv } : {}),
    });
    const control = new Int32Array(start.control);
    port1.on('message', (message: WorkerToMain) => listener.onMessage(message));
    worker.on('error', (error) => listener.onError(error));
    worker.on('exit', (code) => {
      for (let left = receiveMessageOnPort(port1); left; left = receiveMessageOnPort(port1)) {
        listener.onMessage(left.message as WorkerToMain);
      }
      port1.close();
      listener.onExit(code);
    });
    return {
      systemId: worker.threadId,
      send: (message: MainToWorker, transfer) => port1.postMessage(message, transfer as TransferListItem[]),
      runningJob: () => {
        const id = Atomics.load(control, CONTROL_CURRENT_JOB);
        if (id === 0) return undefined;
        return { id, startedAtMs: start.epochMs + Atomics.load(control, CONTROL_JOB_STARTED) };
      },
      terminate: () => void worker.terminate(),
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
