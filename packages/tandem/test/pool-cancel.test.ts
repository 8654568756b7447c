import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbortError, Pool, QueueFullError, TimeoutError } from 'tandem';
import { ALL_BACKENDS } from './fixtures/backends.ts';
import tasks from './fixtures/tasks.ts';

for (const backend of ALL_BACKENDS) {
  // A task that would run for a minute; inline cannot interrupt a busy loop, so it gets one that yields.
  const endless = backend === 'inline' ? tasks.idle : tasks.spin;

  describe(`Pool timeouts and cancellation (${backend})`, () => {
    it('timeout on a running task rejects with TimeoutError and replaces its worker', async () => {
      await using pool = new Pool({ workers: 1, backend });
      await pool.apply(tasks.square, [1]);
      await assert.rejects(pool.apply(endless, [60_000], { timeout: 50 }), TimeoutError);
      assert.equal(await pool.apply(tasks.square, [2]), 4);
      assert.equal(pool.stats().workersStarted, 2, 'the busy worker was replaced');
    });

    it('taskTimeout applies to every task of the pool', async () => {
      await using pool = new Pool({ workers: 1, taskTimeout: 50, backend });
      await assert.rejects(pool.apply(endless, [60_000]), /ran longer than its taskTimeout/);
      assert.equal(await pool.apply(tasks.square, [3]), 9);
    });

    it('aborting a queued task drops it without running it', async () => {
      await using pool = new Pool({ workers: 1, backend });
      const started: string[] = [];
      pool.on('taskStart', (e) => started.push(e.task));
      const blocker = pool.apply(tasks.sleep, [100]);
      const controller = new AbortController();
      const queued = pool.apply(tasks.square, [2], { signal: controller.signal });
      controller.abort();
      await assert.rejects(queued, AbortError);
      assert.equal(await blocker, 100);
      assert.deepEqual(started, ['sleep'], 'the aborted task never reached a worker');
      assert.equal(pool.stats().workersStarted, 1, 'dropping a queued task costs no worker');
    });

    it('aborting a running task terminates and replaces its worker; the AbortError carries the reason', async () => {
      await using pool = new Pool({ workers: 1, backend });
      const controller = new AbortController();
      const running = pool.apply(endless, [60_000], { signal: controller.signal });
      pool.once('taskStart', () => setImmediate(() => controller.abort(new Error('user pressed stop'))));
      const error = await running.catch((e: unknown) => e);
      assert.ok(error instanceof AbortError);
      assert.match(error.message, /user pressed stop/);
      assert.equal(await pool.apply(tasks.square, [5]), 25);
      assert.equal(pool.stats().workersStarted, 2);
    });

    it('an already aborted signal rejects at once', async () => {
      await using pool = new Pool({ workers: 1, backend });
      await assert.rejects(pool.apply(tasks.square, [1], { signal: AbortSignal.abort() }), AbortError);
      await assert.rejects(pool.map(tasks.square, [1], { signal: AbortSignal.abort() }), AbortError);
      const iterator = pool.imap(tasks.square, [1], { signal: AbortSignal.abort() });
      await assert.rejects(iterator.next(), AbortError);
      assert.equal(pool.stats().workersStarted, 0);
    });

    it('AsyncResult.cancel() drops or stops its task', async () => {
      await using pool = new Pool({ workers: 1, backend });
      const spinning = new Promise((resolve) => pool.once('taskStart', resolve));
      const running = pool.applyAsync(endless, [60_000]);
      const queued = pool.applyAsync(tasks.square, [3]);
      assert.equal(queued.cancel(), true);
      await assert.rejects(queued.get(), AbortError);
      await spinning;
      assert.equal(running.cancel(), true);
      await assert.rejects(running.get(), AbortError);
      assert.equal(running.cancel(), false, 'a settled result cannot be cancelled again');
      assert.equal(await pool.apply(tasks.square, [4]), 16);
    });

    it('a map timeout stops the whole call', async () => {
      await using pool = new Pool({ workers: 2, backend });
      await assert.rejects(pool.map(endless, [60_000, 60_000, 60_000], { timeout: 50, chunkSize: 1 }), TimeoutError);
      assert.deepEqual(await pool.map(tasks.square, [1, 2]), [1, 4]);
    });

    it('map rejects on the first failed item and dispatches none of its remaining chunks', async () => {
      await using pool = new Pool({ workers: 1, backend });
      let started = 0;
      pool.on('taskStart', () => started++);
      // Items of a few ms each: the pool pipelines only jobs measured to be tiny (< 1 ms of
      // queued work per worker), so here every chunk waits in the pool's queue until sent.
      const items = Array.from({ length: 200 }, (_, i) => [i, 1, 3] as [number, number, number]);
      await assert.rejects(pool.starmap(tasks.slowFailOn, items, { chunkSize: 1 }), /bad item 1/);
      await pool.apply(tasks.square, [0]); // everything dispatched before has settled by now
      assert.ok(started <= 3, `${started} chunks started: only those sent before the failure may run`);
      assert.equal(pool.stats().queued, 0);
    });

    it('maxQueue refuses submissions beyond it with QueueFullError', async () => {
      await using pool = new Pool({ workers: 1, maxQueue: 2, backend });
      const first = pool.apply(tasks.sleep, [50]);
      await new Promise(setImmediate); // the first is dispatched, leaving the queue empty
      const queued = [pool.apply(tasks.square, [1]), pool.apply(tasks.square, [2])];
      await assert.rejects(pool.apply(tasks.square, [3]), QueueFullError);
      assert.deepEqual(await Promise.all([first, ...queued]), [50, 1, 4]);
    });
  });
}
