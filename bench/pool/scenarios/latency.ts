/** Scenario 1: round-trip latency of one tiny task, sequential calls on a warm pool. */
import { createAdapter, type Library, logLabel } from '../adapters/adapter.ts';
import { allAtOnce, medians, percentile, push, rotate } from '../stats.ts';
import type { ScenarioContext } from './context.ts';

export interface LatencyFigures {
  /** Median over repeats of each repeat's p50 and p99, in microseconds. */
  readonly p50: Record<Library, number>;
  readonly p99: Record<Library, number>;
}

const WARM_UP_CALLS = 1000;

export async function measureLatency(ctx: ScenarioContext): Promise<LatencyFigures> {
  const p50s = new Map<Library, number[]>();
  const p99s = new Map<Library, number[]>();
  for (let repeat = 0; repeat < ctx.repeats; repeat++) {
    for (const library of rotate(ctx.libraries, repeat)) {
      const pool = await createAdapter(library, ctx.workers, ctx.backend);
      // Start every worker and let the JIT settle on both sides.
      await allAtOnce(WARM_UP_CALLS, (i) => pool.increment(i));
      for (let i = 0; i < WARM_UP_CALLS; i++) await pool.increment(i);
      const samples: number[] = new Array(ctx.sizes.latencyCalls);
      for (let i = 0; i < samples.length; i++) {
        const started = performance.now();
        await pool.increment(i);
        samples[i] = (performance.now() - started) * 1000;
      }
      await pool.close();
      const p50 = percentile(samples, 50);
      const p99 = percentile(samples, 99);
      push(p50s, library, p50);
      push(p99s, library, p99);
      ctx.log(`latency    ${logLabel(library, ctx.backend)} p50 ${p50.toFixed(1)} µs  p99 ${p99.toFixed(1)} µs`);
    }
  }
  return { p50: medians(p50s), p99: medians(p99s) };
}
