/**
 * Groups the jobs a pool adds into few `addBulk` calls. Each call is a pipeline with a fixed
 * cost in ioredis and BullMQ on the caller's thread; adding the jobs of every completion event
 * separately measured ~11 us more caller CPU per tiny job than plain BullMQ's one big addBulk.
 *
 * A batch goes out on the next tick while Redis is running low on this pool's waiting jobs
 * (the worker hosts could run dry: no delay then), and otherwise once it is big, once the
 * waiting jobs fall to the low-water mark (`nudge`), or after MAX_DELAY_MS at the latest.
 */
import type { Queue } from 'bullmq';

export type BulkJob = Parameters<Queue['addBulk']>[0][number];

/** A batch this big goes out at once. */
const MAX_BATCH = 256;
/** No job waits longer than this in a batch. */
const MAX_DELAY_MS = 2;

export class AddBatcher {
  private jobs: BulkJob[] = [];
  private sent: Promise<void> | undefined;
  private settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private flushScheduled = false;

  constructor(
    /** Sends one batch (an addBulk). */
    private readonly send: (jobs: BulkJob[]) => Promise<void>,
    /** Whether Redis is low on this pool's waiting jobs, so a batch should not wait. */
    private readonly runningLow: () => boolean,
  ) {}

  /** Queues a job; resolves when its batch is in Redis. */
  add(job: BulkJob): Promise<void> {
    if (this.sent === undefined) {
      this.sent = new Promise<void>((resolve, reject) => {
        this.settle = { resolve, reject };
      });
    }
    const sent = this.sent;
    this.jobs.push(job);
    if (this.jobs.length >= MAX_BATCH || this.runningLow()) this.flushSoon();
    else this.timer ??= setTimeout(() => this.flushSoon(), MAX_DELAY_MS);
    return sent;
  }

  /** Takes a job out of the batch not yet sent; false if it is not there (sent, or never added). */
  withdraw(jobId: string): boolean {
    const index = this.jobs.findIndex((job) => job.opts?.jobId === jobId);
    if (index === -1) return false;
    this.jobs.splice(index, 1);
    return true;
  }

  /** Waiting jobs went down: send the batch now if Redis runs low. */
  nudge(): void {
    if (this.jobs.length > 0 && this.runningLow()) this.flushSoon();
  }

  /** Fails the batch not yet sent (the session ended). */
  abandon(error: Error): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const settle = this.settle;
    this.reset();
    settle?.reject(error);
  }

  // On the next tick, not at once: the jobs added by the rest of this turn (a map's chunks,
  // the jobs of many slots after one events read) join the batch.
  private flushSoon(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    const { jobs, settle } = this;
    this.reset();
    if (settle === undefined) return;
    // Every job of the batch was withdrawn: their adds are done, with nothing to send.
    if (jobs.length === 0) settle.resolve();
    else this.send(jobs).then(settle.resolve, settle.reject);
  }

  private reset(): void {
    this.jobs = [];
    this.sent = undefined;
    this.settle = undefined;
  }
}
