/**
 * The benchmark's tasks: the same functions for tandem (defineTasks) and plain BullMQ. The
 * CPU-bound one is bench/pool's, so both benchmarks time the same work.
 */
import { defineTasks } from 'tandem';
import { countPrimes } from '../pool/workers/work.mjs';

export { countPrimes };

export function noop(x: number): number {
  return x;
}

export default defineTasks(import.meta.url, { countPrimes, noop });
