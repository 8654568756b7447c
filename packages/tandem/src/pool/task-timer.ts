/**
 * taskTimeout: a task is timed from when it started running (as its worker handle says:
 * jobStartedAtMs), not from when it was sent, so time spent behind another job or
 * importing the task module does not count.
 */
import type { Job } from './job.js';

export function armTaskTimer(job: Job, budgetMs: number, onExpired: (job: Job) => void, delayMs = budgetMs): void {
  job.timer = setTimeout(() => {
    if (job.state !== 'held' || !job.slot) return;
    const startedAtMs = startedAt(job);
    if (startedAtMs === undefined) {
      armTaskTimer(job, budgetMs, onExpired); // not started yet: look again a budget later
      return;
    }
    const remaining = startedAtMs + budgetMs - Date.now();
    if (remaining > 0) armTaskTimer(job, budgetMs, onExpired, remaining);
    else onExpired(job);
  }, delayMs);
  job.timer.unref();
}

function startedAt(job: Job): number | undefined {
  return job.slot?.handle.jobStartedAtMs(job.id);
}
