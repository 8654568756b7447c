/** apply / applyAsync: one task, one job, one promise. */
import type { TransferListItem } from 'node:worker_threads';
import { checkOptionNames, describeValue } from '../util/check-options.js';
import { CallGuard, type CancelOptions } from './call-guard.js';
import type { Job, JobOutcome, JobOwner, ScheduledTask } from './job.js';
import type { Scheduler } from './scheduler.js';

export class ApplyCall implements JobOwner {
  readonly promise: Promise<unknown>;
  private resolve!: (value: unknown) => void;
  private reject!: (error: Error) => void;
  private job: Job | undefined;
  private guard: CallGuard | undefined;
  private settled = false;

  constructor(
    private readonly scheduler: Scheduler,
    resolveTask: () => ScheduledTask,
    args: readonly unknown[],
    options: (CancelOptions & { readonly transfer?: readonly TransferListItem[] | undefined }) | undefined,
    /** The caller's method and the option names it takes, for run-time checks. */
    accepts: { readonly method: string; readonly options: readonly string[] },
  ) {
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    try {
      checkOptionNames(accepts.method, options, accepts.options);
      const task = resolveTask();
      if (!Array.isArray(args)) {
        throw new TypeError(`${accepts.method}: args must be an array of arguments, got ${describeValue(args)}`);
      }
      if (options?.transfer !== undefined && !Array.isArray(options.transfer)) {
        throw new TypeError(
          `${accepts.method}: option transfer must be an array, got ${describeValue(options.transfer)}`,
        );
      }
      const refusal = scheduler.refusal(true);
      if (refusal) throw refusal;
      // Most calls have neither: no closure, no name string for them (a tiny task's round trip
      // is tens of microseconds, and these were a measurable part of it).
      if (options?.signal !== undefined || options?.timeout !== undefined) {
        this.guard = CallGuard.create(options, (error) => this.cancel(error), `task ${task.name}`);
      }
      this.job = scheduler.submit(task, [args], 0, this, options?.transfer);
    } catch (error) {
      this.settle(error as Error);
    }
  }

  jobSettled(_job: Job, outcome: JobOutcome): void {
    if (outcome.ok) this.settle(undefined, outcome.values[0]);
    else this.settle(outcome.error);
  }

  /** Drops the task if queued, or replaces its worker if running; rejects with `error`. */
  cancel(error: Error): boolean {
    if (this.settled) return false;
    if (this.job) this.scheduler.withdraw(this.job, true);
    this.settle(error);
    return true;
  }

  private settle(error: Error | undefined, value?: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.guard?.dispose();
    if (error) this.reject(error);
    else this.resolve(value);
  }
}
