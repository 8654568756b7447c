// The control for the CPU scenario: a bare worker thread that counts primes for each
// message, with no pool around it. Its speedup shows how many cores were free right then.
import { parentPort } from 'node:worker_threads';
import { countPrimes } from './work.mjs';

parentPort?.on('message', (/** @type {number} */ limit) => parentPort?.postMessage(countPrimes(limit)));
