import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbortError, AsyncResult, Pool } from 'tandem';
import { ALL_BACKENDS } from './fixtures/backends.ts';
import tasks from './fixtures/tasks.ts';

for (const backend of ALL_BACKENDS) {
  // A task that would run for a minute; inline cannot interrupt a busy loop, so it gets one that yields.
  const endless = backend === 'inline' ? tasks.idle : tasks.spin;

  describe(`mapAsync and starmapAsync (${backend})`, () => {
    it('mapAsync gives an AsyncResult of the results in input order, and to callback', async () => {
      await using pool = new Pool({ workers: 2, backend });
      let delivered: number[] | undefined;
      const result = pool.mapAsync(tasks.square, [1, 2, 3, 4, 5], {
        chunkSize: 2,
        callback: (values) => {
          delivered = values;
        },
      });
      assert.ok(result instanceof AsyncResult);
      assert.equal(result.ready(), false);
      assert.deepEqual(await result.get(), [1, 4, 9, 16, 25]);
      assert.equal(result.successful(), true);
      await new Promise(setImmediate);
      assert.deepEqual(delivered, [1, 4, 9, 16, 25]);
    });

    it('starmapAsync spreads argument lists; a failure reaches errorCallback and successful() is false', async () => {
      await using pool = new Pool({ workers: 2, backend });
      assert.deepEqual(
        await pool.starmapAsync(tasks.add, [
          [1, 2],
          [3, 4],
        ]),
        [3, 7],
      );
      const errors: unknown[] = [];
      const failing = pool.starmapAsync(
        tasks.failOn,
        [
          [1, 3],
          [3, 3],
        ],
        { errorCallback: (error) => errors.push(error) },
      );
      assert.equal(await failing.wait(), true);
      assert.equal(failing.successful(), false);
      await assert.rejects(failing.get(), /bad item 3/);
      await new Promise(setImmediate);
      assert.equal(errors.length, 1);
      assert.match(String(errors[0]), /bad item 3/);
    });

    it('cancel() stops the whole call; the pool goes on', async () => {
      await using pool = new Pool({ workers: 1, backend });
      const started = new Promise((resolve) => pool.once('taskStart', resolve));
      const result = pool.mapAsync(endless, [60_000, 60_000, 60_000], { chunkSize: 1 });
      await started;
      assert.equal(result.cancel(), true);
      await assert.rejects(result.get(), AbortError);
      assert.equal(result.cancel(), false, 'a settled result cannot be cancelled again');
      assert.deepEqual(await pool.mapAsync(tasks.square, [6, 7]), [36, 49]);
    });
  });
}

describe('mapAsync over an async input', () => {
  it('cancel() while the input is still being read rejects at once and runs nothing', async () => {
    await using pool = new Pool({ workers: 1, backend: 'inline' });
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* slowSource() {
      yield 1;
      await stalled;
      yield 2;
    }
    let ran = 0;
    pool.on('taskStart', () => ran++);
    const result = pool.mapAsync(tasks.square, slowSource());
    assert.equal(result.cancel(), true);
    await assert.rejects(result.get(), AbortError);
    release();
    await new Promise(setImmediate);
    assert.equal(ran, 0);
  });
});
