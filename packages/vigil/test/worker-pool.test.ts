/**
 * The worker pool of backup and restore: its workers' young generation is capped (issue 18's
 * memory aim), and a task to start each worker with runs before the worker's first job.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createWorkerPool, RESTORE_WORKER_YOUNG_MB } from '../src/pool/worker-pool.js';

/** Runs in the worker: the limits its isolate was made with. */
async function workerLimits(): Promise<{ maxYoungGenerationSizeMb?: number }> {
  const { resourceLimits } = await import('node:worker_threads');
  return { ...resourceLimits };
}

/** Runs in the worker as it starts (what backup/tasks.ts's startWorker does with a location). */
function noteStart(location: string): void {
  (globalThis as { startedWith?: string }).startedWith = location;
}

/** Runs in the worker: what its start task noted. */
async function startNoted(): Promise<string | undefined> {
  return (globalThis as { startedWith?: string }).startedWith;
}

describe('createWorkerPool', () => {
  it("gives each worker thread the young generation asked for, and V8's default otherwise", async () => {
    const capped = createWorkerPool('test-capped', { jobs: '1' }, { youngGenerationMb: RESTORE_WORKER_YOUNG_MB });
    const plain = createWorkerPool('test-plain', { jobs: '1' });
    try {
      assert.equal((await capped.apply(workerLimits, [])).maxYoungGenerationSizeMb, RESTORE_WORKER_YOUNG_MB);
      assert.notEqual((await plain.apply(workerLimits, [])).maxYoungGenerationSizeMb, RESTORE_WORKER_YOUNG_MB);
    } finally {
      await capped.close();
      await plain.close();
    }
  });

  it('runs the task to start each worker with, with its arguments, before the worker takes a job', async () => {
    const pool = createWorkerPool(
      'test-start-with',
      { jobs: '1' },
      { startWith: { task: noteStart, args: ['sftp:backup.example:/srv/repo'] } },
    );
    try {
      assert.equal(await pool.apply(startNoted, []), 'sftp:backup.example:/srv/repo');
    } finally {
      await pool.close();
    }
  });
});
