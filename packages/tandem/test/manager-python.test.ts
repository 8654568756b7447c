/** The Manager as a Python port expects it: nested proxies, dict and list methods, factories, register(). */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  Barrier,
  BoundedSemaphore,
  Condition,
  type DictProxy,
  InvalidStateError,
  JoinableQueue,
  Lock,
  Manager,
  Pool,
  SharedArray,
  Value,
} from 'tandem';
import { ALL_BACKENDS } from './fixtures/backends.ts';
import managerTasks, { Tally } from './fixtures/manager-tasks.ts';

class TallyManager extends Manager {}
const Registered = TallyManager.register('tally', (start: number) => Object.assign(new Tally(), { total: start }));

for (const backend of ALL_BACKENDS) {
  describe(`Manager, Python's way (${backend})`, () => {
    const pool = new Pool({ workers: 2, backend });
    const manager = new Registered();
    after(async () => {
      await pool.terminate();
      await manager.shutdown();
    });

    it('a dict holds other dicts: writes through the nested proxy reach them (test_dict_proxy_nested)', async () => {
      const pets = await manager.dict<string, number>([
        ['ferrets', 2],
        ['hamsters', 4],
      ]);
      const supplies = await manager.dict<string, number>([
        ['water', 10],
        ['feed', 3],
      ]);
      const d = await manager.dict<string, DictProxy<string, number>>([
        ['pets', pets],
        ['supplies', supplies],
      ]);
      const nested = await d.get('supplies');
      assert.equal(nested, supplies, 'read here, it is the very same proxy');
      await nested?.set('blankets', 5);
      assert.equal(await supplies.get('blankets'), 5);
      assert.equal(await pool.apply(managerTasks.setNested, [d, 'supplies', 'water', 7]), 7);
      assert.equal(await supplies.get('water'), 7);
      await d.clear();
      assert.equal(await d.size(), 0);
      assert.equal(await pets.get('ferrets'), 2, 'clearing the outer dict leaves the inner ones');
    });

    it('a worker stores proxies and Locks in a dict; they come back as the same objects', async () => {
      const outer = await manager.dict<string, unknown>();
      const inner = await manager.list<number>([1]);
      const lock = new Lock();
      await pool.apply(managerTasks.storeShared, [outer, 'list', inner]);
      await pool.apply(managerTasks.storeShared, [outer, 'lock', lock]);
      const list = await outer.get('list');
      if (backend !== 'thread') assert.equal(list, inner);
      await (list as typeof inner).push(2);
      assert.deepEqual(await inner.slice(), [1, 2]);
      await lock.acquire();
      assert.equal(await pool.apply(managerTasks.lockHeldIn, [outer, 'lock']), 'held');
      lock.release();
      assert.equal(await pool.apply(managerTasks.lockHeldIn, [outer, 'lock']), 'free');
    });

    it('a list of lists: a worker appends through the inner proxy (test_list_proxy_in_list)', async () => {
      const rows = await Promise.all([0, 1, 2].map(() => manager.list<number>([0, 1, 2])));
      const a = await manager.list(rows);
      assert.equal(await pool.apply(managerTasks.pushNested, [a, 0, 55]), 4);
      assert.deepEqual(await rows[0]?.slice(), [0, 1, 2, 55]);
      assert.deepEqual(await rows[1]?.slice(), [0, 1, 2]);
    });

    it("DictProxy has Python's pop, popitem, setdefault, get with a default and copy", async () => {
      const d = await manager.dict<string, number>([
        ['a', 1],
        ['b', 2],
      ]);
      const seen = await pool.apply(managerTasks.dictMethods, [d]);
      assert.deepEqual(seen, {
        popped: 1,
        poppedMissing: -1,
        setdefaultNew: 26,
        setdefaultOld: 26,
        getDefault: 99,
        popitem: ['z', 26],
        copy: new Map([['b', 2]]),
      });
      assert.deepEqual(await d.entries(), [['b', 2]]);
      assert.equal(await d.popitem().then(() => d.popitem()), undefined, 'popitem on an empty dict');
    });

    it("ListProxy has Python's insert, remove, count, extend, sort and reverse", async () => {
      const l = await manager.list<number>([2]);
      assert.deepEqual(await pool.apply(managerTasks.listMethods, [l]), {
        count: 2,
        removed: true,
        removedMissing: false,
        sorted: [1, 2, 3, 5, 7, 8, 9],
        reversedSort: [9, 8, 7, 5, 3, 2, 1],
        reversed: [1, 2, 3, 5, 7, 8, 9],
      });
      const mixed = await manager.list<unknown>([1, 'one']);
      await assert.rejects(mixed.sort(), /cannot order a string and a number|cannot order a number and a string/);
    });

    it("the factories Python's SyncManager has make working objects", async () => {
      const counter = await manager.value('int32', 0);
      assert.ok(counter instanceof Value);
      await Promise.all([pool.apply(managerTasks.bump, [counter, 2]), pool.apply(managerTasks.bump, [counter, 3])]);
      assert.equal(counter.value, 5);
      const array = await manager.array('float64', [1, 2, 3]);
      assert.ok(array instanceof SharedArray);
      assert.deepEqual(Array.from(array.array), [1, 2, 3]);
      assert.ok((await manager.boundedSemaphore(2)) instanceof BoundedSemaphore);
      assert.ok((await manager.condition()) instanceof Condition);
      const barrier = await manager.barrier(2, { timeout: 1000 });
      assert.ok(barrier instanceof Barrier);
      assert.equal(barrier.parties, 2);
      assert.ok((await manager.joinableQueue(3)) instanceof JoinableQueue);
    });

    it('Manager.register: a class of our own, used from workers through its public methods', async () => {
      const tally = await manager.tally(10);
      const totals = await Promise.all([1, 2, 3, 4].map((n) => pool.apply(managerTasks.tallyAdd, [tally, n])));
      assert.equal(Math.max(...totals), 20, 'each add ran alone, in the Manager');
      assert.equal(await tally.read(), 20);
      assert.equal(tally.typeName, 'tally');
      assert.deepEqual(await pool.apply(managerTasks.tallyMembers, [tally]), {
        hasAdd: 'function',
        hasHidden: 'undefined',
      });
    });
  });
}

describe('Manager.register and shutdown', () => {
  it('refuses names of its own members and non-functions', () => {
    class Other extends Manager {}
    assert.throws(() => Other.register('dict', () => ({})), /member of Manager itself/);
    assert.throws(() => Other.register('not a name', () => ({})), TypeError);
    assert.throws(() => Other.register('x', 'factory' as never), TypeError);
    assert.equal('tally' in new Manager(), false, 'registering on a subclass leaves Manager alone');
  });

  it("an object's own typeName method wins over the proxy's, and a then method is not exposed", async () => {
    class Odd {
      typeName() {
        return 'mine';
      }
      // biome-ignore lint/suspicious/noThenProperty: the case under test, a class with a then method.
      then() {
        return 'not a promise';
      }
    }
    class OddManager extends Manager {}
    const manager = new (OddManager.register('odd', () => new Odd()))();
    const odd = await manager.odd(); // a `then` on the proxy would have made this await call it
    assert.equal(await (odd as unknown as { typeName(): Promise<string> }).typeName(), 'mine');
    assert.equal('then' in odd, false);
    await manager.shutdown();
  });

  it('after shutdown() a registered object rejects, in a worker too', async () => {
    const pool = new Pool({ workers: 1, backend: 'process' });
    const manager = new Registered();
    const tally = await manager.tally(1);
    assert.deepEqual(await pool.apply(managerTasks.tallyReadOrError, [tally]), { value: 1 });
    await manager.shutdown();
    await assert.rejects(tally.read(), InvalidStateError);
    assert.deepEqual(await pool.apply(managerTasks.tallyReadOrError, [tally]), { name: 'InvalidStateError' });
    await assert.rejects(manager.tally(2), InvalidStateError);
    await pool.terminate();
  });
});
