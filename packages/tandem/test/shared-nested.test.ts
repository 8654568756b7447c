/**
 * Shared objects wherever they sit: nested in arrays, plain objects, Maps and Sets among task
 * arguments, in a pool's initArgs (Python's Pool(initializer=init, initargs=(lock,))), and
 * nested in Process fields, on every backend.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Event, Lock, Manager, Pool, Process, Value } from 'tandem';
import { ALL_BACKENDS } from './fixtures/backends.ts';
import { NestedHolder } from './fixtures/shared-classes.ts';
import tasks from './fixtures/shared-tasks.ts';

for (const backend of ALL_BACKENDS) {
  describe(`shared objects nested anywhere (${backend})`, () => {
    it('Values nested in an array, a plain object, a Map and a Set of task arguments work in the worker', async () => {
      await using pool = new Pool({ workers: 2, backend });
      const counters = [new Value('int32', 0), new Value('int32', 100)];
      const named = new Value('int32', 0);
      const inSet = new Value('int32', 0);
      const holder = { counters, byName: new Map([['n', named]]), inSet: new Set([inSet]) };
      const found = await pool.starmap(tasks.addToNested, [
        [holder, 1],
        [holder, 2],
        [holder, 3],
      ]);
      assert.deepEqual(found, [4, 4, 4]);
      assert.deepEqual([counters[0]?.value, counters[1]?.value, named.value, inSet.value], [6, 106, 6, 6]);
      assert.ok(holder.counters[0] instanceof Value, "the caller's objects are left as they were");
    });

    it('initArgs may hold a Lock, a Value and a Manager namespace, nested or not', async () => {
      const manager = new Manager();
      try {
        const ns = await manager.namespace();
        const counter = new Value('int32', 0);
        const lock = new Lock();
        await using pool = new Pool({
          workers: 2,
          backend,
          initializer: tasks.keepForTasks,
          initArgs: [{ counter, ns }, lock],
        });
        const items = Array.from({ length: 12 }, (_, i) => i);
        assert.deepEqual(await pool.map(tasks.useKept, items, { chunkSize: 1 }), items);
        assert.equal(counter.value, 12);
        assert.equal(await ns.get('item11'), 11);
      } finally {
        await manager.shutdown();
      }
    });

    it('a Process subclass whose fields nest shared objects gets them working', async () => {
      const counters = [new Value('int32', 1), new Value('int32', 2)];
      const done = new Event();
      const p = new NestedHolder(counters, done, backend);
      p.start();
      await p.join();
      assert.equal(p.exitCode, 0);
      assert.equal(done.isSet(), true);
      assert.deepEqual(
        counters.map((c) => c.value),
        [11, 12],
      );
    });

    it('a Process target gets shared objects nested in its args', async () => {
      const counters = [new Value('int32', 0)];
      const holder = { counters, byName: new Map([['m', new Value('int32', 5)]]), inSet: new Set<Value<'int32'>>() };
      const p = new Process({ target: tasks.addToNested, args: [holder, 7], backend });
      p.start();
      await p.join();
      assert.equal(p.exitCode, 0);
      assert.equal(counters[0]?.value, 7);
      assert.equal(holder.byName.get('m')?.value, 12);
    });
  });
}
