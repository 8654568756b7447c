/**
 * Scenario 3: a CPU-bound job's speedup over one thread. The job is `cpuTasks` equal
 * prime counts. Right before each pooled run the same job runs on the main thread alone
 * and on bare worker threads (no pool): on a shared machine the bare threads' speedup is
 * the number of cores that were actually free, and the pool is judged against it. The control
 * is threads on both backends: it measures the machine, not a way of running workers.
 */
import { createAdapter, type Library, logLabel } from '../adapters/adapter.ts';
import { medians, push, rotate, timeMs } from '../stats.ts';
import { countPrimes } from '../workers/work.mjs';
import type { ScenarioContext } from './context.ts';
import { RawThreads } from './raw-threads.ts';

export interface CpuFigures {
  readonly tasks: number;
  /** Median pooled milliseconds and median single-thread milliseconds. */
  readonly pooledMs: Record<Library, number>;
  readonly singleMs: Record<Library, number>;
  /** Median over repeats of single / pooled, each pair measured back to back. */
  readonly speedup: Record<Library, number>;
  /** Median over repeats of single / bare threads: the free cores measured next to each library's run. */
  readonly freeCores: Record<Library, number>;
  /** Median over repeats of the pool's speedup divided by the bare threads' speedup. */
  readonly efficiency: Record<Library, number>;
}

export async function measureCpu(ctx: ScenarioContext): Promise<CpuFigures> {
  const { cpuTasks, primesLimit } = ctx.sizes;
  const pooled = new Map<Library, number[]>();
  const single = new Map<Library, number[]>();
  const speedups = new Map<Library, number[]>();
  const freeCores = new Map<Library, number[]>();
  const efficiencies = new Map<Library, number[]>();
  for (let i = 0; i < 3; i++) countPrimes(primesLimit); // warm the main thread's JIT
  for (let repeat = 0; repeat < ctx.repeats; repeat++) {
    for (const library of rotate(ctx.libraries, repeat)) {
      const pool = await createAdapter(library, ctx.workers, ctx.backend);
      const warmUp = Array.from({ length: 2 * ctx.workers }, () => pool.countPrimes(primesLimit / 4));
      const raw = new RawThreads(ctx.workers);
      await Promise.all([...warmUp, raw.run(2 * ctx.workers, primesLimit / 4)]);
      const singleMs = await timeMs(async () => {
        for (let i = 0; i < cpuTasks; i++) countPrimes(primesLimit);
      });
      const rawMs = await timeMs(() => raw.run(cpuTasks, primesLimit));
      await raw.close();
      const pooledMs = await timeMs(() =>
        Promise.all(Array.from({ length: cpuTasks }, () => pool.countPrimes(primesLimit))),
      );
      await pool.close();
      push(pooled, library, pooledMs);
      push(single, library, singleMs);
      push(speedups, library, singleMs / pooledMs);
      push(freeCores, library, singleMs / rawMs);
      push(efficiencies, library, rawMs / pooledMs);
      ctx.log(
        `cpu        ${logLabel(library, ctx.backend)} pooled ${pooledMs.toFixed(0)} ms, one thread ${singleMs.toFixed(0)} ms: ${(singleMs / pooledMs).toFixed(2)}x (bare threads ${(singleMs / rawMs).toFixed(2)}x)`,
      );
    }
  }
  return {
    tasks: cpuTasks,
    pooledMs: medians(pooled),
    singleMs: medians(single),
    speedup: medians(speedups),
    freeCores: medians(freeCores),
    efficiency: medians(efficiencies),
  };
}
