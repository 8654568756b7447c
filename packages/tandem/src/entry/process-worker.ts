/**
 * Entry point of a child process (started by backends/process.ts with fork and advanced
 * serialization). Everything in this file runs inside the child.
 *
 * The first IPC message is the start data; jobs follow. Which job is running goes out on
 * fd 4 (a pipe) in fixed frames, written synchronously, so the parent knows it even when
 * the child dies without a word. If the parent goes away (the IPC channel closes), the
 * child exits rather than run on as an orphan.
 */
import type { MainToWorker, WorkerStartData } from '../protocol.js';
import { RUNTIME } from '../runtime.js';
import { checkSendable } from '../util/check-sendable.js';
import { PipeBoard } from './running-board.js';
import { runWorker } from './worker-context.js';

const CONTROL_FD = 4;

/**
 * Resolves once everything written to `stream` so far is out. An empty write's callback runs
 * after the writes queued before it ('drain' would not fire when no write returned false).
 * On Bun (1.4) that callback comes too early and exiting then drops what a pipe has not taken
 * yet; ending the stream waits for it (the child exits next, so nothing writes after).
 */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (RUNTIME === 'bun') return new Promise((resolve) => stream.end(() => resolve()));
  if (stream.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}
const realExit = process.exit.bind(process);
let accept: ((message: MainToWorker) => void) | undefined;

process.on('disconnect', () => realExit(1));
process.on('message', (message: MainToWorker | { type: 'start'; data: WorkerStartData }) => {
  if (message.type === 'start') {
    runWorker(
      message.data,
      {
        post: (outgoing) => {
          checkSendable(outgoing);
          process.send?.(outgoing);
        },
        receiveNow: () => undefined,
        // Wait until what we printed and sent has been written out, then exit: a full
        // pipe queues writes in memory, and exiting would drop them.
        exit: (code) => {
          void drained(process.stdout)
            .then(() => drained(process.stderr))
            .then(() => {
              if (process.send) process.send({ type: 'bye' }, undefined, {}, () => realExit(code));
              else realExit(code);
            });
        },
      },
      new PipeBoard(CONTROL_FD, message.data.epochMs),
      (listen) => {
        accept = listen;
      },
    );
    return;
  }
  accept?.(message);
});
