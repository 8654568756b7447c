/** The benchmark's tasks: the same functions for tandem (defineTasks) and plain BullMQ. */
import { defineTasks } from 'tandem';

/** CPU-bound: counts the primes below `limit` by trial division. */
export function countPrimes(limit: number): number {
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

export function noop(x: number): number {
  return x;
}

export default defineTasks(import.meta.url, { countPrimes, noop });
