/** tandem's worker side: a defineTasks module over the same functions the peers run. */
import { defineTasks, transfer } from 'tandem';
import { awaitLoop, byteLength, countPrimes, increment, waitFor } from './work.mjs';

export default defineTasks(import.meta.url, {
  increment,
  countPrimes,
  byteLength,
  waitFor,
  awaitLoop,
  /** Moves the buffer back with transfer() (child processes copy it). */
  echoBuffer: (buffer: ArrayBuffer) => transfer(buffer),
});
