import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  JoinableQueue,
  Pool,
  Queue,
  QueueClosedError,
  QueueEmptyError,
  QueueFullError,
  QueueShutDownError,
  RawValue,
  Semaphore,
  SimpleQueue,
} from 'tandem';
import { ALL_BACKENDS } from './fixtures/backends.ts';
import tasks from './fixtures/shared-tasks.ts';

for (const backend of ALL_BACKENDS) {
  describe(`Queue, SimpleQueue, JoinableQueue (${backend})`, () => {
    const pool = new Pool({ workers: 2, backend });
    after(() => pool.terminate());

    it('workers produce into a bounded queue; the main thread consumes everything, in order per producer', async () => {
      const queue = new Queue<number>(3);
      const producers = [pool.apply(tasks.produce, [queue, 0, 50]), pool.apply(tasks.produce, [queue, 1000, 50])];
      const got: number[] = [];
      for (let i = 0; i < 100; i++) {
        got.push(await queue.get());
        assert.ok(queue.qsize() <= 3, `maxsize 3 holds, saw ${queue.qsize()}`);
      }
      await Promise.all(producers);
      assert.deepEqual(
        got.filter((x) => x < 1000),
        Array.from({ length: 50 }, (_, i) => i),
      );
      assert.deepEqual(
        got.filter((x) => x >= 1000),
        Array.from({ length: 50 }, (_, i) => 1000 + i),
      );
      assert.equal(queue.empty(), true);
    });

    it('for await over a queue yields until it is closed and empty, in a worker and on the main side', async () => {
      const toWorkers = new Queue<number>(4);
      const sums = [pool.apply(tasks.sumUntilClosed, [toWorkers]), pool.apply(tasks.sumUntilClosed, [toWorkers])];
      for (let i = 1; i <= 100; i++) await toWorkers.put(i);
      toWorkers.close();
      const [a, b] = await Promise.all(sums);
      assert.equal((a ?? 0) + (b ?? 0), 5050);

      const local = new Queue<number>();
      for (const n of [1, 2, 3]) await local.put(n);
      local.close();
      const seen: number[] = [];
      for await (const n of local) seen.push(n);
      assert.deepEqual(seen, [1, 2, 3]);
    });

    it('a worker consumes what the main thread produces; structured-cloneable items survive', async () => {
      const queue = new Queue<unknown>(2);
      const items = [
        { a: 1, nested: [1, 'two', null] },
        new Map([['k', new Set([1, 2])]]),
        new Date(0),
        new Uint8Array([1, 2, 3]),
        'x'.repeat(5000),
        'héllo wörld ✓ 🎉',
        '',
        -0,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        42.5,
        12n,
        null,
        undefined,
        true,
      ];
      const consumer = pool.apply(tasks.consume, [queue, items.length]);
      for (const item of items) await queue.put(item);
      assert.deepEqual(await consumer, items);
    });

    it('a full queue: putNowait and put({ timeout }) throw QueueFullError, on the main side and in workers', async () => {
      const queue = new Queue<number>(1);
      queue.putNowait(1);
      assert.equal(queue.full(), true);
      assert.throws(() => queue.putNowait(2), QueueFullError);
      await assert.rejects(queue.put(2, { timeout: 20 }), QueueFullError);
      const fromWorker = await pool.apply(tasks.putWithTimeout, [queue, 2, 20]);
      assert.equal(typeof fromWorker === 'object' && fromWorker.code, 'ERR_TANDEM_QUEUE_FULL');
      assert.equal(typeof fromWorker === 'object' && fromWorker.name, 'QueueFullError');
      assert.equal(queue.getNowait(), 1);
      assert.equal(await pool.apply(tasks.putWithTimeout, [queue, 3, 1000]), 'ok');
      assert.equal(await pool.apply(tasks.queueSize, [queue]), 1);
    });

    it('an empty queue: getNowait and get({ timeout }) throw QueueEmptyError, on the main side and in workers', async () => {
      const queue = new Queue<number>();
      assert.throws(() => queue.getNowait(), QueueEmptyError);
      await assert.rejects(queue.get({ timeout: 20 }), QueueEmptyError);
      const fromWorker = await pool.apply(tasks.getWithTimeout, [queue, 20]);
      assert.equal(typeof fromWorker === 'object' && 'code' in fromWorker && fromWorker.code, 'ERR_TANDEM_QUEUE_EMPTY');
      const waiting = pool.apply(tasks.getWithTimeout, [queue, 10_000]);
      await queue.put(7);
      assert.deepEqual(await waiting, { item: 7 });
    });

    it('close(): puts fail, gets drain what is left and then fail instead of waiting', async () => {
      const queue = new SimpleQueue<string>();
      await queue.put('last');
      const waiter = new Queue<string>();
      const blocked = pool.apply(tasks.getWithTimeout, [waiter, 60_000]);
      waiter.close();
      const answer = await blocked;
      assert.equal(typeof answer === 'object' && 'code' in answer && answer.code, 'ERR_TANDEM_QUEUE_CLOSED');
      queue.close();
      await assert.rejects(queue.put('more'), QueueClosedError);
      assert.equal(await queue.get(), 'last');
      await assert.rejects(queue.get(), QueueClosedError);
    });

    it('shutdown(): a waiting get fails, puts fail everywhere, gets drain what is left and then fail', async () => {
      const queue = new Queue<number>();
      const waiting = new Semaphore(0);
      const blocked = pool.apply(tasks.getAfterSignal, [queue, waiting]);
      await waiting.acquire();
      queue.shutdown();
      const woke = await blocked;
      assert.equal('name' in woke && woke.name, 'QueueShutDownError');
      assert.equal('code' in woke && woke.code, 'ERR_TANDEM_QUEUE_SHUT_DOWN');
      await assert.rejects(queue.put(1), QueueShutDownError);
      const fromWorker = await pool.apply(tasks.putWithTimeout, [queue, 2, 0]);
      assert.equal(fromWorker !== 'ok' && fromWorker.name, 'QueueShutDownError');

      const draining = new Queue<number>();
      await draining.put(7);
      await draining.put(8);
      await pool.apply(tasks.shutdownQueue, [draining, false]);
      assert.deepEqual(await pool.apply(tasks.getWithTimeout, [draining, 0]), { item: 7 });
      assert.equal(await draining.get(), 8);
      await assert.rejects(draining.get(), QueueShutDownError);
      const consumed: number[] = [];
      for await (const n of draining) consumed.push(n); // ends at once: shut down and empty
      assert.deepEqual(consumed, []);
    });

    it('shutdown({ immediate: true }) drops the items: get fails at once and join() returns', async () => {
      const queue = new JoinableQueue<number>();
      for (const n of [1, 2, 3]) await queue.put(n);
      const joined = queue.join();
      await pool.apply(tasks.shutdownQueue, [queue, true]);
      await joined; // the three dropped items count as done
      assert.equal(queue.qsize(), 0);
      await assert.rejects(queue.get(), QueueShutDownError);
      const answer = await pool.apply(tasks.getWithTimeout, [queue, 0]);
      assert.equal('name' in answer && answer.name, 'QueueShutDownError');
    });

    it('an item larger than the ring is refused; the ring wraps around under load', async () => {
      const queue = new Queue<string>(0, { capacityBytes: 256 });
      await assert.rejects(queue.put('y'.repeat(300)), RangeError);
      const consumer = pool.apply(tasks.consume, [queue, 40]);
      const sent = Array.from({ length: 40 }, (_, i) => `${i}:${'z'.repeat(i * 3)}`);
      for (const item of sent) await queue.put(item);
      assert.deepEqual(await consumer, sent);
    });

    it('JoinableQueue.join() resolves only once every item has been marked done', async () => {
      const queue = new JoinableQueue<number>();
      const processed = new RawValue('int32', 0);
      for (let i = 0; i < 5; i++) await queue.put(i);
      const consumer = pool.apply(tasks.consumeAndMarkDone, [queue, processed, 5]);
      await queue.join();
      assert.equal(processed.value, 5);
      await consumer;
      assert.throws(() => queue.taskDone(), /taskDone\(\) called more times/);
    });
  });
}

describe('Queue in worker threads (synchronous members)', () => {
  it('putSync and getSync work in workers; on the main thread they name the async member', async () => {
    const queue = new Queue<number>(4);
    assert.throws(() => queue.getSync(), /Use `await queue.get\(\)` instead/);
    assert.throws(() => queue.putSync(1), /Use `await queue.put\(item\)` instead/);
  });
});
