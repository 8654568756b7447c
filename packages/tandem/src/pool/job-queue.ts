/**
 * The jobs waiting for a worker, in order, with the counts the pool reports (jobs for
 * maxQueue, items for stats). A job withdrawn while queued is marked settled by its owner and
 * left in place: skipping it when it reaches the front costs less than finding it now.
 */
import { Fifo } from '../util/fifo.js';
import type { Job } from './job.js';

export class JobQueue {
  private readonly fifo = new Fifo<Job>();
  /** Jobs in the 'queued' state. */
  jobs = 0;
  /** Their items. */
  items = 0;

  /** Queues `job` at the back, or at the front (a job its dead worker never started). */
  add(job: Job, atFront = false): void {
    job.state = 'queued';
    job.slot = undefined;
    if (atFront) this.fifo.unshift(job);
    else this.fifo.push(job);
    this.jobs++;
    this.items += job.items.length;
  }

  /** Jobs a dead worker had not started: back to the front, in the order they were sent, each counted as sent back. */
  requeueAtFront(jobs: readonly Job[]): void {
    for (let i = jobs.length - 1; i >= 0; i--) {
      const job = jobs[i] as Job;
      job.requeues++;
      this.add(job, true);
    }
  }

  /** The next job still queued, without taking it. */
  peek(): Job | undefined {
    let job = this.fifo.peek();
    while (job !== undefined && job.state !== 'queued') {
      this.fifo.shift();
      job = this.fifo.peek();
    }
    return job;
  }

  /** Takes the job peek() returned; the caller moves it on from 'queued'. */
  take(): Job | undefined {
    const job = this.peek();
    if (job !== undefined) {
      this.fifo.shift();
      this.left(job);
    }
    return job;
  }

  /** `job` leaves the queued state other than by take() (withdrawn, or settled while queued). */
  left(job: Job): void {
    this.jobs--;
    this.items -= job.items.length;
  }

  /** Takes every job still queued, in order. */
  *drain(): Generator<Job> {
    for (let job = this.take(); job !== undefined; job = this.take()) yield job;
  }
}
