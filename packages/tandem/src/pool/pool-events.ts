/**
 * The events a Pool emits (see PoolEvents in pool.ts), each built only when someone listens,
 * so a pool nobody watches pays one listenerCount() per event.
 */
import type { EventEmitter } from 'node:events';
import type { WorkerHandle } from '../backends/backend.js';
import type { Job, JobOutcome } from './job.js';
import type { WorkerSlot } from './worker-slot.js';

export class PoolEventEmitter {
  constructor(private readonly events: EventEmitter) {}

  taskStart(job: Job, slot: WorkerSlot): void {
    if (this.events.listenerCount('taskStart') === 0) return;
    this.events.emit('taskStart', { task: job.task.name, items: job.items.length, workerId: slot.id });
  }

  taskSettled(job: Job, outcome: JobOutcome, runMicros: number | undefined): void {
    if (this.events.listenerCount('taskSettled') === 0) return;
    this.events.emit('taskSettled', {
      task: job.task.name,
      items: job.items.length,
      ok: outcome.ok,
      runMs: runMicros === undefined ? undefined : runMicros / 1000,
      error: outcome.ok ? undefined : outcome.error,
    });
  }

  workerStart(slot: WorkerSlot, handle: WorkerHandle): void {
    if (this.events.listenerCount('workerStart') === 0) return;
    this.events.emit('workerStart', { workerId: slot.id, pid: handle.pid, threadId: handle.threadId });
  }

  workerExit(slot: WorkerSlot, exitCode: number): void {
    if (this.events.listenerCount('workerExit') === 0) return;
    this.events.emit('workerExit', { workerId: slot.id, exitCode, error: slot.fatalError });
  }
}
