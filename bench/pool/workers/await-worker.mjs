// The control for bench/pool/awaits.ts: a bare worker thread that runs awaitLoop for each message.
import { parentPort } from 'node:worker_threads';
import { awaitLoop } from './work.mjs';

parentPort?.on('message', async (/** @type {number} */ count) => parentPort?.postMessage(await awaitLoop(count)));
