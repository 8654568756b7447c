// tinypool's worker side (both runtimes): named exports, called with `run(arg, { name })`.
import Tinypool from 'tinypool';

export { byteLength, countPrimes, echo, increment } from './work.mjs';

/** @param {ArrayBuffer} buffer */
export function echoBuffer(buffer) {
  return Tinypool.move(buffer);
}
