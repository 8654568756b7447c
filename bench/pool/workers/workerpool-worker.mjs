// workerpool's worker side: methods registered with `workerpool.worker`, called by name with `exec`.
import workerpool from 'workerpool';
import { byteLength, countPrimes, increment } from './work.mjs';

workerpool.worker({
  increment,
  countPrimes,
  byteLength,
  /** @param {ArrayBuffer} buffer */
  echoBuffer: (buffer) => new workerpool.Transfer(buffer, [buffer]),
});
