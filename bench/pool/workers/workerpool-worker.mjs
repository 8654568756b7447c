// workerpool's worker side: methods registered with `workerpool.worker`, called by name with `exec`.
import workerpool from 'workerpool';
import { byteLength, countPrimes, echo, increment } from './work.mjs';

workerpool.worker({
  increment,
  countPrimes,
  byteLength,
  echo,
  /** @param {ArrayBuffer} buffer */
  echoBuffer: (buffer) => new workerpool.Transfer(buffer, [buffer]),
});
