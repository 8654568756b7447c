/** The launcher's worker: one function, started five times with different arguments. */
import { setTimeout as sleep } from 'node:timers/promises';
import { defineTasks } from 'tandem';

/** A small seedable generator (mulberry32): the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export default defineTasks(import.meta.url, {
  /** Begins, sleeps up to `maxSleepMs`, ends, and exits 0 or 1, all decided by `seed`. */
  async visit(name: string, city: string, seed: number, maxSleepMs: number): Promise<void> {
    const random = seededRandom(seed);
    console.log(`${name}: starting in ${city}`);
    await sleep(Math.round(random() * maxSleepMs));
    const status = random() < 0.5 ? 0 : 1;
    console.log(`${name}: leaving ${city}`);
    process.exitCode = status;
  },
});
