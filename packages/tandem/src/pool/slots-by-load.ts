/**
 * The pool's accepting worker slots, grouped by how many jobs each holds, so the scheduler
 * finds an idle or least-loaded slot without scanning every slot for every job.
 *
 * Thread pools have a few slots and a scan costs nothing; a Redis pool has one virtual slot
 * per job it keeps in Redis (64 by default, hundreds for a fleet). Scanning them all per job
 * measured ~70k more instructions per tiny job in the caller with 512 slots than with 64
 * (bench/redis/overhead.ts --workers=512).
 */
import type { WorkerSlot } from './worker-slot.js';

export class SlotsByLoad {
  /** buckets[n]: the slots holding n jobs, in the order they got there. */
  private readonly buckets: Set<WorkerSlot>[] = [];
  private readonly loads = new Map<WorkerSlot, number>();

  /** How many slots accept work. */
  get size(): number {
    return this.loads.size;
  }

  /** Adds a slot that accepts work, or moves it to the bucket of the jobs it holds now. */
  track(slot: WorkerSlot): void {
    const before = this.loads.get(slot);
    const load = slot.held.size;
    if (before === load) return;
    if (before !== undefined) this.buckets[before]?.delete(slot);
    this.loads.set(slot, load);
    let bucket = this.buckets[load];
    if (bucket === undefined) {
      bucket = new Set();
      this.buckets[load] = bucket;
    }
    bucket.add(slot);
  }

  /** After `slot` took or settled a job: moves it, if it still accepts work. */
  update(slot: WorkerSlot): void {
    if (this.loads.has(slot)) this.track(slot);
  }

  /** The slot no longer accepts work (retiring, stopping or dead). */
  forget(slot: WorkerSlot): void {
    const load = this.loads.get(slot);
    if (load === undefined) return;
    this.buckets[load]?.delete(slot);
    this.loads.delete(slot);
  }

  /** The least-loaded slot holding fewer than `below` jobs for which `fits` holds. */
  leastLoaded(below: number, fits: (slot: WorkerSlot) => boolean): WorkerSlot | undefined {
    const last = Math.min(below, this.buckets.length);
    for (let load = 0; load < last; load++) {
      const bucket = this.buckets[load];
      if (bucket === undefined) continue;
      for (const slot of bucket) if (fits(slot)) return slot;
    }
    return undefined;
  }
}
