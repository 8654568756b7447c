import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { InvalidStateError, Lock, Manager, Pool, Process, Semaphore } from 'tandem';
import { ALL_BACKENDS } from './fixtures/backends.ts';
import tasks from './fixtures/shared-tasks.ts';

for (const backend of ALL_BACKENDS) {
  describe(`Manager (${backend})`, () => {
    const pool = new Pool({ workers: 3, backend });
    const manager = new Manager();
    after(async () => {
      await pool.terminate();
      await manager.shutdown();
    });

    it('a dict is shared by the workers and the main thread', async () => {
      const dict = await manager.dict<string, number>([['seed', 1]]);
      const had = await pool.starmap(
        tasks.dictRecord,
        Array.from({ length: 10 }, (_, i) => [dict, i] as const),
      );
      assert.deepEqual(had, Array(10).fill(true));
      assert.equal(await dict.size(), 11);
      assert.equal(await dict.get('k7'), 49);
      assert.deepEqual((await dict.keys()).sort(), [
        'k0',
        'k1',
        'k2',
        'k3',
        'k4',
        'k5',
        'k6',
        'k7',
        'k8',
        'k9',
        'seed',
      ]);
      assert.equal(await dict.delete('seed'), true);
      assert.equal(await dict.has('seed'), false);
      assert.deepEqual(await pool.apply(tasks.dictGet, [dict, 'k3']), { value: 9 });
    });

    it('a list gets every push from every worker', async () => {
      const list = await manager.list<number>();
      const lengths = await pool.starmap(
        tasks.listPush,
        Array.from({ length: 30 }, (_, i) => [list, i] as const),
      );
      assert.deepEqual(
        [...lengths].sort((a, b) => a - b),
        Array.from({ length: 30 }, (_, i) => i + 1),
      );
      assert.deepEqual(
        (await list.slice()).sort((a, b) => a - b),
        Array.from({ length: 30 }, (_, i) => i),
      );
      assert.equal(await list.length(), 30);
      assert.equal(typeof (await list.at(-1)), 'number');
    });

    it('a namespace is read and written by a worker and by a Process', async () => {
      const ns = await manager.namespace({ x: 21 });
      assert.deepEqual(await pool.apply(tasks.namespaceSwap, [ns]), { x: 21, y: 42 });
      assert.equal(await ns.get('y'), 42);
      await ns.set('x', 5);
      const p = new Process({ target: tasks.namespaceSwap, args: [ns], backend });
      p.start();
      await p.join();
      assert.equal(await ns.get('y'), 10);
    });

    it('values are copies: changing what was stored or read does not change the shared data', async () => {
      const dict = await manager.dict<string, { n: number }>();
      const stored = { n: 1 };
      await dict.set('a', stored);
      stored.n = 2;
      const read = await dict.get('a');
      assert.deepEqual(read, { n: 1 });
      if (read) read.n = 3;
      assert.deepEqual(await dict.get('a'), { n: 1 });
    });

    it('with a Lock, workers do read-modify-write on a dict without losing updates', async () => {
      const dict = await manager.dict<string, number>([['n', 0]]);
      const lock = new Lock();
      await Promise.all(Array.from({ length: 4 }, () => pool.apply(tasks.dictIncrement, [dict, lock, 'n', 10])));
      assert.equal(await dict.get('n'), 40);
    });

    it("Python's manager.Event()/Lock()/Queue() have counterparts that work from workers", async () => {
      const event = await manager.event();
      const ready = new Semaphore(0);
      const waiting = pool.apply(tasks.waitForEvent, [event, ready, 30_000]);
      await ready.acquire(); // the worker is waiting on the event now
      event.set();
      assert.equal(await waiting, true);
      assert.ok((await manager.lock()) instanceof Lock);
      const queue = await manager.queue<number>(2);
      await queue.put(7);
      assert.equal(await queue.get(), 7);
    });

    it('after shutdown() the proxies reject with InvalidStateError, in workers too', async () => {
      const own = new Manager();
      const dict = await own.dict<string, number>([['a', 1]]);
      assert.deepEqual(await pool.apply(tasks.dictGet, [dict, 'a']), { value: 1 });
      await own.shutdown();
      await assert.rejects(dict.get('a'), InvalidStateError);
      const answer = await pool.apply(tasks.dictGet, [dict, 'a']);
      assert.equal('code' in answer && answer.code, 'ERR_TANDEM_INVALID_STATE');
      await assert.rejects(own.list(), InvalidStateError);
    });
  });
}
