// A task module: plain JavaScript, registered with defineTasks under its own URL.
import { defineTasks } from 'tandem';

export default defineTasks(import.meta.url, {
  /** Counts the primes below `limit` by trial division: a small CPU-bound job. */
  countPrimes(limit) {
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
  },
});
