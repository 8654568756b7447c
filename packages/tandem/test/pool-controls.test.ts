/**
 * The pool controls Node users know from piscina and poolifier: minWorkers (started with the
 * pool, initializer at once), idleTimeout (shrink when idle, grow again on demand) and
 * concurrentTasksPerWorker (a worker runs several async tasks at once).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { Barrier, Event, Pool, Semaphore, TimeoutError } from 'tandem';
import { ALL_BACKENDS, ISOLATED_BACKENDS } from './fixtures/backends.ts';
import sharedTasks from './fixtures/shared-tasks.ts';
import tasks from './fixtures/tasks.ts';

/**
 * Awaits `promise` while holding the event loop open: idle workers and their idle timers do
 * not hold a program open (a finished program must exit), so nothing else would here.
 */
async function heldOpen<T>(promise: Promise<T>): Promise<T> {
  const hold = setInterval(() => {}, 1000);
  try {
    return await promise;
  } finally {
    clearInterval(hold);
  }
}

for (const backend of ALL_BACKENDS) {
  describe(`concurrentTasksPerWorker (${backend})`, () => {
    it('one worker runs 4 tasks at once: all 4 meet at a barrier only they can pass together', async () => {
      await using pool = new Pool({ workers: 2, backend, concurrentTasksPerWorker: 4 });
      const started: number[] = [];
      pool.on('workerStart', (e) => started.push(e.workerId));
      // Without 4 tasks in flight at once, the barrier breaks at its timeout.
      const barrier = new Barrier(4, { timeout: 30_000 });
      const indexes = await pool.map(
        sharedTasks.barrierWait,
        [barrier, barrier, barrier, barrier].map((b) => b),
        {
          chunkSize: 1,
        },
      );
      assert.deepEqual([...(indexes as number[])].sort(), [0, 1, 2, 3]);
      assert.equal(started.length, 1, 'a worker with free lanes is used before another starts');
    });

    it('a task that finishes while another still waits sends its result at once', async () => {
      await using pool = new Pool({ workers: 1, backend, concurrentTasksPerWorker: 2 });
      const release = new Event();
      const waiting = pool.apply(sharedTasks.waitForEvent, [release, undefined]);
      // If this result waited for the other task, the test would never set the event.
      assert.equal(await pool.apply(tasks.square, [7]), 49);
      release.set();
      assert.equal(await waiting, true);
    });
  });
}

for (const backend of ISOLATED_BACKENDS) {
  describe(`pool controls (${backend})`, () => {
    it('a timeout that stops a worker with several tasks runs the others again elsewhere', async () => {
      await using pool = new Pool({ workers: 1, backend, concurrentTasksPerWorker: 2, taskTimeout: 300 });
      // A chunk of 20 x 50 ms (budget 20 x 300 ms) runs beside a task that times out at 300 ms.
      const other = pool.map(
        tasks.sleep,
        Array.from({ length: 20 }, () => 50),
        { chunkSize: 20 },
      );
      await assert.rejects(pool.apply(tasks.idle, [60_000]), TimeoutError);
      assert.deepEqual(await other, Array(20).fill(50));
      assert.equal(pool.stats().workersStarted, 2, 'the chunk ran again on the replacement worker');
    });

    it('minWorkers start with the pool and run the initializer before any task is sent', async () => {
      const ran = new Semaphore(0);
      await using pool = new Pool({
        workers: 3,
        minWorkers: 2,
        backend,
        initializer: sharedTasks.initRelease,
        initArgs: [ran],
      });
      await ran.acquire();
      await ran.acquire();
      const stats = pool.stats();
      assert.deepEqual([stats.workers, stats.workersStarted, stats.completed], [2, 2, 0]);
    });

    it('idleTimeout: workers above minWorkers exit when idle; the pool grows again on demand', async () => {
      await using pool = new Pool({ workers: 2, minWorkers: 1, backend, idleTimeout: 50 });
      const exits: number[] = [];
      pool.on('workerExit', (e) => exits.push(e.exitCode));
      const meetTwice = async () => {
        // Two tasks that can only end together: the pool must run two workers.
        const barrier = new Barrier(2, { timeout: 30_000 });
        const outcome = await pool.map(sharedTasks.barrierWait, [barrier, barrier], { chunkSize: 1 });
        assert.deepEqual([...(outcome as number[])].sort(), [0, 1]);
      };
      await meetTwice();
      assert.equal(pool.stats().workers, 2);
      await heldOpen(once(pool, 'workerExit'));
      assert.equal(pool.stats().workers, 1, 'shrunk to minWorkers');
      await meetTwice();
      assert.equal(pool.stats().workersStarted, 3, 'grew again');
      await heldOpen(once(pool, 'workerExit'));
      assert.equal(pool.stats().workers, 1);
      assert.deepEqual(exits, [0, 0], 'idle workers exit cleanly');
    });

    it('idleTimeout with no minWorkers lets every worker go, and the next call starts one', async () => {
      await using pool = new Pool({ workers: 1, backend, idleTimeout: 0 });
      assert.equal(await pool.apply(tasks.square, [2]), 4);
      await heldOpen(once(pool, 'workerExit'));
      assert.equal(pool.stats().workers, 0);
      assert.equal(await pool.apply(tasks.square, [3]), 9);
    });
  });
}
