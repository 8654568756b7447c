/** Counters and latency histograms behind `pool.stats()`. */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

/** Percentiles of a latency distribution, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** A snapshot of a pool's state and history. */
export interface PoolStats {
  /** Workers alive (starting, ready or finishing their last jobs). */
  readonly workers: number;
  /** Workers holding no job. */
  readonly idle: number;
  /** Workers holding at least one job. */
  readonly busy: number;
  /** Tasks (items) waiting for a worker. */
  readonly queued: number;
  /** Tasks (items) that finished successfully. */
  readonly completed: number;
  /** Tasks (items) that failed: threw, timed out, were aborted or lost their worker. */
  readonly failed: number;
  /** Workers started over the pool's life, replacements included. */
  readonly workersStarted: number;
  /**
   * Time a job (one task, or one chunk of a map/imap) ran in its worker. For chunks this is
   * the chunk's time divided by its length, recorded once per chunk.
   */
  readonly runTime: LatencySummary;
  /** Time a job waited between submission and being sent to a worker. */
  readonly waitTime: LatencySummary;
}

export class StatsRecorder {
  completed = 0;
  failed = 0;
  workersStarted = 0;
  private readonly run: RecordableHistogram = createHistogram();
  private readonly wait: RecordableHistogram = createHistogram();

  recordRun(micros: number): void {
    this.run.record(Math.max(1, Math.round(micros)));
  }

  recordWait(micros: number): void {
    this.wait.record(Math.max(1, Math.round(micros)));
  }

  summarise(): { runTime: LatencySummary; waitTime: LatencySummary } {
    return { runTime: summarise(this.run), waitTime: summarise(this.wait) };
  }

  /** The pool's stats now, from its workers (busy: holding a job) and its queued items. */
  snapshot(workers: Iterable<{ readonly held: { readonly size: number } }>, queued: number): PoolStats {
    let all = 0;
    let busy = 0;
    for (const worker of workers) {
      all++;
      if (worker.held.size > 0) busy++;
    }
    return {
      workers: all,
      idle: all - busy,
      busy,
      queued,
      completed: this.completed,
      failed: this.failed,
      workersStarted: this.workersStarted,
      ...this.summarise(),
    };
  }
}

function summarise(h: RecordableHistogram): LatencySummary {
  const count = h.count;
  if (count === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  const ms = (micros: number) => micros / 1000;
  return {
    count,
    mean: ms(h.mean),
    p50: ms(h.percentile(50)),
    p90: ms(h.percentile(90)),
    p99: ms(h.percentile(99)),
    max: ms(h.max),
  };
}
