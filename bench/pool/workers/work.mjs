/**
 * The work every library runs, shared by the worker files and the single-thread baseline,
 * so each pool executes the same functions. Plain JavaScript: under tsx on Node 20 only
 * tandem's workers can load TypeScript, and the peers' worker files import this too.
 */

/**
 * The tiny task: as close to no work as a task can be.
 * @param {number} x
 * @returns {number}
 */
export function increment(x) {
  return x + 1;
}

/**
 * The CPU-bound task: counts the primes below `limit` by trial division.
 * @param {number} limit
 * @returns {number}
 */
export function countPrimes(limit) {
  let count = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

/**
 * @param {ArrayBuffer} buffer
 * @returns {number}
 */
export function byteLength(buffer) {
  return buffer.byteLength;
}

/**
 * Answers its argument: the echo on child processes, where every library copies the buffer
 * each way (an IPC message cannot move memory).
 * @param {ArrayBuffer} buffer
 * @returns {ArrayBuffer}
 */
export function echo(buffer) {
  return buffer;
}

/**
 * The I/O-bound task: waits `ms` on a timer, as a request to a slow service would.
 * @param {number} ms
 * @returns {Promise<number>}
 */
export function waitFor(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms, ms));
}

/**
 * Promise-heavy work: `count` awaited async calls, timed inside the worker. Measures what an
 * await costs in a pool's worker (on Node 20 and 22, an AsyncLocalStorage entered in the
 * thread makes every promise pay for promise hooks).
 * @param {number} count
 * @returns {Promise<number>} milliseconds taken
 */
export async function awaitLoop(count) {
  const step = async (/** @type {number} */ i) => {
    await null;
    return i;
  };
  const started = performance.now();
  for (let i = 0; i < count; i++) await step(i);
  return performance.now() - started;
}
