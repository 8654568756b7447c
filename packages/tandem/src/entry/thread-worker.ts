/**
 * Entry point of a worker thread (loaded by backends/thread.ts). Everything in this
 * file runs inside the worker.
 */
import { type MessagePort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { MainToWorker, WorkerStartData } from '../protocol.js';
import { SharedBoard } from './running-board.js';
import { runWorker } from './worker-context.js';

const data = workerData as WorkerStartData & { port: MessagePort; control: SharedArrayBuffer };
const port = data.port;
const realExit = process.exit.bind(process);

// Send what the worker prints over our own port rather than Node's worker stdio streams:
// a parent that consumes those streams is held alive by every idle worker, and this way
// the parent can join lines and prefix them, and nothing printed before an exit is lost.
for (const [stream, fd] of [
  [process.stdout, 1],
  [process.stderr, 2],
] as const) {
  stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    port.postMessage({ type: 'output', fd, text });
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') queueMicrotask(done as () => void);
    return true;
  }) as typeof stream.write;
}

runWorker(
  data,
  {
    post: (message, transfer) => port.postMessage(message, transfer),
    receiveNow: () => receiveMessageOnPort(port)?.message as MainToWorker | undefined,
    exit: (code) => realExit(code),
  },
  new SharedBoard(data.control, data.epochMs),
  (accept) => port.on('message', accept),
);
