/** What every scenario is given: the sizes of this run and a way to report progress. */
import type { Backend, Library } from '../adapters/adapter.ts';

export interface BenchSizes {
  /** Sequential calls timed for the latency percentiles. */
  readonly latencyCalls: number;
  /** Separate calls in the throughput scenario. */
  readonly tinyCalls: number;
  /** Items in tandem's map/imap against one-call-per-item comparison. */
  readonly streamItems: number;
  /** CPU-bound tasks per measurement, and the size of each. */
  readonly cpuTasks: number;
  readonly primesLimit: number;
  /** Size of the transferred buffer, and round trips timed per measurement. */
  readonly bufferBytes: number;
  readonly bufferRounds: number;
}

export interface ScenarioContext {
  /** Worker threads or child processes; `libraries` are the ones with that backend. */
  readonly backend: Backend;
  readonly workers: number;
  /** Fresh-pool measurements per library; figures are their medians. */
  readonly repeats: number;
  readonly sizes: BenchSizes;
  readonly libraries: readonly Library[];
  log(line: string): void;
}
