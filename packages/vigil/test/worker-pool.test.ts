/** The worker pool of backup and restore: its workers' young generation is capped (issue 18's memory aim). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createWorkerPool, RESTORE_WORKER_YOUNG_MB } from '../src/pool/worker-pool.js';

/** Runs in the worker: the limits its isolate was made with. */
async function workerLimits(): Promise<{ maxYoungGenerationSizeMb?: number }> {
  const { resourceLimits } = await import('node:worker_threads');
  return { ...resourceLimits };
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
});
