import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { AsyncResult, Event, InvalidStateError, Pool, TimeoutError } from 'tandem';
import { ALL_BACKENDS } from './fixtures/backends.ts';
import sharedTasks from './fixtures/shared-tasks.ts';
import tasks from './fixtures/tasks.ts';

for (const backend of ALL_BACKENDS) {
  describe(`Pool basics (${backend})`, () => {
    const pool = new Pool({ workers: 2, backend });
    after(() => pool.terminate());

    it('apply runs one task and resolves to its result', async () => {
      assert.equal(await pool.apply(tasks.square, [3]), 9);
      assert.equal(await pool.apply(tasks.add, [2, 5]), 7);
    });

    it('runs the task where the backend says: another thread, another process, or inline', async () => {
      const where = await pool.apply(tasks.threadInfo, []);
      if (backend === 'thread') assert.ok(where.threadId !== 0 && where.pid === process.pid);
      if (backend === 'process') assert.notEqual(where.pid, process.pid);
      if (backend === 'inline') assert.ok(where.threadId === 0 && where.pid === process.pid);
    });

    it('map returns results in input order, for arrays, iterables and async iterables', async () => {
      const input = Array.from({ length: 100 }, (_, i) => i);
      const squares = input.map((x) => x * x);
      assert.deepEqual(await pool.map(tasks.square, input), squares);
      assert.deepEqual(await pool.map(tasks.square, new Set(input)), squares);
      async function* generate() {
        for (const x of input) yield x;
      }
      assert.deepEqual(await pool.map(tasks.square, generate(), { chunkSize: 7 }), squares);
      assert.deepEqual(await pool.map(tasks.square, []), []);
    });

    it('map keeps input order when later items finish first', async () => {
      assert.deepEqual(await pool.map(tasks.sleep, [60, 1, 30, 1], { chunkSize: 1 }), [60, 1, 30, 1]);
    });

    it('starmap spreads each item as arguments', async () => {
      assert.deepEqual(
        await pool.starmap(tasks.add, [
          [1, 2],
          [3, 4],
        ]),
        [3, 7],
      );
    });

    it('starmap rejects an item that is not an argument list, naming its index', async () => {
      await assert.rejects(pool.starmap(tasks.add, [[1, 2], 3 as never]), /item 1 is not an array of arguments/);
    });

    it('imap yields in input order and imapUnordered in completion order', async () => {
      const ordered: number[] = [];
      for await (const ms of pool.imap(tasks.sleep, [80, 1, 1], { chunkSize: 1 })) ordered.push(ms);
      assert.deepEqual(ordered, [80, 1, 1]);
      // The first item ends only once the second's result is in (inline runs one task at a
      // time, in order: there the first may end at once).
      const release = new Event();
      if (backend === 'inline') release.set();
      const unordered: string[] = [];
      const items = [{ until: release, value: 'held' }, { value: 'free' }];
      for await (const value of pool.imapUnordered(sharedTasks.holdUntil, items, { chunkSize: 1 })) {
        unordered.push(value);
        release.set();
      }
      assert.deepEqual(unordered, backend === 'inline' ? ['held', 'free'] : ['free', 'held']);
    });

    it('runs a self-contained inline function', async () => {
      assert.deepEqual(await pool.map((x: number) => x + 1, [1, 2]), [2, 3]);
      assert.equal(await pool.apply((a: string, b: string) => `${a}-${b}`, ['x', 'y']), 'x-y');
      function named(x: number) {
        const inner = (y: number) => y * 10;
        return inner(x);
      }
      assert.deepEqual(await pool.map(named, [1, 2]), [10, 20]);
    });

    it('moves transferred ArrayBuffers instead of copying them (child processes get a copy)', async () => {
      const buffer = new ArrayBuffer(1024);
      const length = await pool.apply(tasks.byteLength, [buffer], { transfer: [buffer] });
      assert.equal(length, 1024);
      assert.equal(buffer.byteLength, backend === 'process' ? 1024 : 0);
    });

    it('a task can move its result back with transfer() (child processes copy it)', async () => {
      await using single = new Pool({ workers: 1, backend });
      const bytes = await single.apply(tasks.makeBuffer, [4096]);
      assert.equal(bytes.byteLength, 4096);
      assert.equal(bytes[4095], 7);
      assert.equal(await single.apply(tasks.lastBufferLength, []), backend === 'process' ? 4096 : 0);
    });

    it("copies arguments as structured clones: a task cannot mutate its caller's objects", async () => {
      const record = { seen: false };
      await pool.apply(tasks.mark, [record]);
      assert.equal(record.seen, false);
    });
  });
}

describe('AsyncResult', () => {
  const pool = new Pool({ workers: 1, backend: 'thread' });
  after(() => pool.terminate());

  it('is awaitable and reports ready and successful', async () => {
    const result = pool.applyAsync(tasks.square, [4]);
    assert.ok(result instanceof AsyncResult);
    assert.equal(result.ready(), false);
    assert.throws(() => result.successful(), InvalidStateError);
    assert.equal(await result, 16);
    assert.equal(result.ready(), true);
    assert.equal(result.successful(), true);
    assert.equal(await result.get(), 16);
  });

  it('get(ms) rejects with TimeoutError while the task runs on; wait(ms) says whether it settled', async () => {
    // The task runs until the test lets it end, so "still running" holds however busy the machine is.
    const release = new Event();
    const result = pool.applyAsync(sharedTasks.waitForEvent, [release, undefined]);
    await assert.rejects(result.get(10), TimeoutError);
    assert.equal(await result.wait(10), false);
    release.set();
    assert.equal(await result.wait(), true);
    assert.equal(await result.get(10), true);
  });

  it('reports failure through successful() without an unhandled rejection', async () => {
    const result = pool.applyAsync(tasks.fail, ['nope']);
    assert.equal(await result.wait(), true);
    assert.equal(result.successful(), false);
    await assert.rejects(result.get(), /nope/);
  });

  it('calls callback and errorCallback', async () => {
    const values: number[] = [];
    const errors: unknown[] = [];
    await pool.applyAsync(tasks.square, [5], { callback: (v) => values.push(v) }).wait();
    await pool.applyAsync(tasks.fail, ['cb'], { errorCallback: (e) => errors.push(e) }).wait();
    await new Promise(setImmediate);
    assert.deepEqual(values, [25]);
    assert.equal(errors.length, 1);
  });
});
