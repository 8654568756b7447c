/**
 * Which worker takes the next job: one with a free lane first (with one lane per worker, an
 * idle one), then a new worker while below `workers`, then the least-loaded worker that may
 * queue the job behind its lanes. That queue ("pipeline") is `prefetch` deep, and deeper
 * only while jobs are measured to be tiny, so long jobs never wait behind each other in a
 * worker while another idles, and tiny ones travel many to a message.
 */
import type { Job } from './job.js';
import type { SlotsByLoad } from './slots-by-load.js';
import type { WorkerSlot } from './worker-slot.js';

/** Pipeline jobs into a busy worker only while the jobs queued in it add up to about this. */
const PIPELINE_TARGET_MICROS = 1000;
const MAX_PIPELINE_DEPTH = 256;

export interface PlacementRules {
  readonly maxWorkers: number;
  readonly lanes: number;
  readonly prefetch: number;
  readonly maxTasksPerWorker: number;
  /** Whether the backend lets tiny jobs pipeline deeper than `prefetch` (not Redis). */
  readonly adaptivePipeline: boolean;
}

export class Placement {
  /** Moving average of a job's run time, from the results. */
  private meanJobMicros = 0;

  constructor(
    private readonly rules: PlacementRules,
    private readonly accepting: SlotsByLoad,
  ) {}

  /** A job ran for `micros`. */
  learn(micros: number): void {
    this.meanJobMicros = this.meanJobMicros === 0 ? micros + 1 : this.meanJobMicros * 0.9 + micros * 0.1;
  }

  /** How many jobs a busy worker may hold per lane beyond its running one, now. */
  depth(): number {
    const floor = 1 + this.rules.prefetch;
    if (this.meanJobMicros === 0 || !this.rules.adaptivePipeline) return floor;
    const measured = Math.floor(PIPELINE_TARGET_MICROS / this.meanJobMicros);
    return Math.max(floor, Math.min(MAX_PIPELINE_DEPTH, measured));
  }

  /** The worker for `job`, a new one from `spawn` (undefined if it cannot start), or none. */
  pick(job: Job, depth: number, spawn: () => WorkerSlot | undefined): WorkerSlot | undefined {
    const lanes = this.rules.lanes;
    const free = this.accepting.leastLoaded(lanes, () => true);
    if (free !== undefined) return free;
    if (this.accepting.size < this.rules.maxWorkers) {
      const fresh = spawn();
      if (fresh !== undefined) return fresh;
    }
    return this.accepting.leastLoaded(lanes - 1 + depth, (slot) => this.fitsRecyclingBudget(slot, job));
  }

  /** Whether `slot` may take `job` and still be replaced after maxTasksPerWorker items. */
  private fitsRecyclingBudget(slot: WorkerSlot, job: Job): boolean {
    if (slot.held.size === 0) return true;
    return slot.itemsDone + slot.heldItems + job.items.length <= this.rules.maxTasksPerWorker;
  }
}
