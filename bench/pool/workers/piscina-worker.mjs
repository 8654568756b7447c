// piscina's worker side: named exports, called with `run(arg, { name })`.
import Piscina from 'piscina';

export { byteLength, countPrimes, increment, waitFor } from './work.mjs';

/** @param {ArrayBuffer} buffer */
export function echoBuffer(buffer) {
  return Piscina.move(buffer);
}
