import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  Barrier,
  Event,
  Lock,
  Pipe,
  Pool,
  Process,
  Queue,
  RawArray,
  RLock,
  Semaphore,
  SharedArray,
  Value,
} from 'tandem';
import { ALL_BACKENDS } from './fixtures/backends.ts';
import { Reporter } from './fixtures/shared-classes.ts';
import tasks from './fixtures/shared-tasks.ts';

for (const backend of ALL_BACKENDS) {
  describe(`shared objects as Process args and subclass fields (${backend})`, () => {
    it('a Process target gets shared objects among its args', async () => {
      const event = new Event();
      const p = new Process({ target: tasks.setEvent, args: [event], backend });
      p.start();
      assert.equal(await event.wait(), true);
      await p.join();
      assert.equal(p.exitCode, 0);
    });

    it("a Process subclass's fields hold shared objects that work in run()", async () => {
      const done = new Event();
      const count = new Value('int32', 10);
      const out = new Queue<string>();
      const p = new Reporter(done, count, out, 'r1', backend);
      p.start();
      assert.equal(await out.get(), 'hello from r1');
      assert.equal(await done.wait(), true);
      await p.join();
      assert.equal(p.exitCode, 0);
      assert.equal(count.value, 15);
    });

    it('Processes wait on one Barrier together with the main thread', async () => {
      const barrier = new Barrier(3);
      const ps = [0, 1].map(() => new Process({ target: tasks.barrierWait, args: [barrier, undefined], backend }));
      for (const p of ps) p.start();
      assert.equal(typeof (await barrier.wait()), 'number');
      for (const p of ps) await p.join();
      assert.deepEqual(
        ps.map((p) => p.exitCode),
        [0, 0],
      );
    });
  });
}

describe('synchronous members where they cannot work', () => {
  const pool = new Pool({ workers: 1, backend: 'process' });
  after(() => pool.terminate());

  const cases: [string, () => unknown, string, string][] = [
    ['Event.waitSync()', () => new Event(), 'waitSync', '`await event.wait()`'],
    ['Event.isSet()', () => new Event(), 'isSet', '`await event.wait(0)`'],
    ['Lock.acquireSync()', () => new Lock(), 'acquireSync', '`await lock.acquire()`'],
    ['RLock.locked()', () => new RLock(), 'locked', '`await lock.acquire({ timeout: 0 })`'],
    ['Semaphore.acquireSync()', () => new Semaphore(1), 'acquireSync', '`await semaphore.acquire()`'],
    ['Value.value', () => new Value('int32', 1), 'value', '`await value.get()`'],
    ['Value.value = ...', () => new Value('int32', 1), 'value=', '`await value.set(v)`'],
    ['SharedArray.array', () => new SharedArray('int32', 2), 'array', '`await array.get(i)`'],
    ['RawArray.array', () => new RawArray('int32', 2), 'array', '`await array.get(i)`'],
    ['Queue.getNowait()', () => new Queue(), 'getNowait', '`await queue.get({ timeout: 0 })`'],
    ['Queue.qsize()', () => new Queue(), 'qsize', '`await queue.size()`'],
    ['Barrier.waitSync()', () => new Barrier(2), 'waitSync', '`await barrier.wait()`'],
    ['Connection.recvSync()', () => Pipe()[0], 'recvSync', '`await connection.recv()`'],
  ];
  for (const [member, make, name, instead] of cases) {
    it(`${member} throws in a child process, naming ${instead}`, async () => {
      const answer = await pool.apply(tasks.trySync, [make(), name]);
      assert.notEqual(answer, 'no error');
      if (answer === 'no error') return;
      assert.equal(answer.name, 'SyncUnavailableError');
      assert.equal(answer.code, 'ERR_TANDEM_SYNC_UNAVAILABLE');
      assert.ok(answer.message.startsWith(`${member} cannot be used here`), answer.message);
      assert.ok(answer.message.includes(`Use ${instead}`), answer.message);
      assert.ok(answer.message.includes('parent process'), answer.message);
    });
  }

  it('blocking members throw on the main thread (and so in inline tasks), naming the async member', async () => {
    assert.throws(
      () => new Event().waitSync(),
      /Event\.waitSync\(\) cannot be used here: it would block the main thread/,
    );
    const lock = new Lock();
    assert.equal(lock.acquireSync(), true, 'a free lock is taken without blocking');
    assert.throws(() => lock.acquireSync(), /Use `await lock\.acquire\(\)` instead/);
    const inline = new Pool({ workers: 1, backend: 'inline' });
    const answer = await inline.apply(tasks.trySync, [new Event(), 'waitSync']);
    await inline.terminate();
    assert.equal(answer !== 'no error' && answer.code, 'ERR_TANDEM_SYNC_UNAVAILABLE');
  });
});

describe('a child process that dies while it waits to acquire', () => {
  const cases: [string, () => Lock | Semaphore][] = [
    ['Lock', () => new Lock()],
    ['Semaphore', () => new Semaphore(1)],
  ];
  for (const [kind, make] of cases) {
    it(`does not keep the ${kind}: the parent gives back what it acquired for the dead child`, async () => {
      const lock = make();
      const asked = new Event();
      await lock.acquire();
      const child = new Process({ target: tasks.acquireThenSignal, args: [lock, asked], backend: 'process' });
      child.start();
      // The child's acquire() and set() travel in that order on one channel: once the event is
      // set, the parent is already waiting to acquire on the child's behalf.
      await asked.wait();
      child.kill();
      await child.join();
      // Waiters wake in the order they queued (Atomics.notify), so the release below reaches
      // the dead child's waiter first: `mine` resolves only if that unit is given back.
      const mine = lock.acquire();
      lock.release();
      assert.equal(await mine, true);
      lock.release();
    });
  }
});
