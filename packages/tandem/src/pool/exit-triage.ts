/**
 * What becomes of the jobs a worker held when it dies: the jobs it was running fail with
 * WorkerExitError; jobs it had not started go back to the queue (a job at most
 * MAX_REQUEUES times, so one that kills every worker it touches still settles). A worker
 * stopped on purpose (timeout, abort) already settled the job it was stopped for.
 */
import { WorkerExitError } from '../errors.js';
import type { Job } from './job.js';

export const MAX_REQUEUES = 3;

export interface HeldJobsVerdict {
  /** In the order they were sent. */
  readonly requeue: Job[];
  readonly reject: Job[];
}

export function triageHeldJobs(
  held: readonly Job[],
  runningIds: readonly number[],
  options: { readonly stoppedOnPurpose: boolean; readonly mayRequeue: boolean },
): HeldJobsVerdict {
  const verdict: HeldJobsVerdict = { requeue: [], reject: [] };
  for (const job of held) {
    const diedRunningIt = runningIds.includes(job.id) && !options.stoppedOnPurpose;
    if (!diedRunningIt && options.mayRequeue && job.requeues < MAX_REQUEUES) verdict.requeue.push(job);
    else verdict.reject.push(job);
  }
  return verdict;
}

/** The error for a job that was lost with its worker. */
export function workerExitError(exitCode: number, job: Job, fatalError: Error | undefined): WorkerExitError {
  return new WorkerExitError(exitCode, job.task.name, {
    cause: fatalError,
    detail: fatalError ? `${fatalError.name}: ${fatalError.message}` : undefined,
  });
}
