/** tandem's worker side: a defineTasks module over the same functions the peers run. */
import { defineTasks } from 'tandem';
import { byteLength, countPrimes, increment } from './work.mjs';

export default defineTasks(import.meta.url, {
  increment,
  countPrimes,
  byteLength,
  /** tandem cannot move a result back (no transfer list on results), so the buffer is copied home. */
  echoBuffer: (buffer: ArrayBuffer) => buffer,
});
