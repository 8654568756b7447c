/** Scenario 2a: throughput of many tiny tasks submitted as separate calls, all at once. */
import { createAdapter, type Library, logLabel } from '../adapters/adapter.ts';
import { allAtOnce, medians, push, rate, rotate, timeMs } from '../stats.ts';
import type { ScenarioContext } from './context.ts';

export interface ThroughputFigures {
  readonly calls: number;
  /** Median milliseconds for all calls to settle. */
  readonly ms: Record<Library, number>;
}

/** Calls before the timed ones: 20k, or a quarter of the timed calls if that is fewer (the process peers are slow). */
const WARM_UP_CALLS = 20_000;

export async function measureThroughput(ctx: ScenarioContext): Promise<ThroughputFigures> {
  const calls = ctx.sizes.tinyCalls;
  const times = new Map<Library, number[]>();
  for (let repeat = 0; repeat < ctx.repeats; repeat++) {
    for (const library of rotate(ctx.libraries, repeat)) {
      const pool = await createAdapter(library, ctx.workers, ctx.backend);
      await allAtOnce(Math.min(WARM_UP_CALLS, Math.ceil(calls / 4)), (i) => pool.increment(i));
      const ms = await timeMs(() => allAtOnce(calls, (i) => pool.increment(i)));
      await pool.close();
      push(times, library, ms);
      ctx.log(
        `throughput ${logLabel(library, ctx.backend)} ${calls} calls in ${ms.toFixed(0)} ms (${rate(calls, ms)}/s)`,
      );
    }
  }
  return { calls, ms: medians(times) };
}
