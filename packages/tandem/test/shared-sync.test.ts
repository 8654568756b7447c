import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { BoundedSemaphore, Event, InvalidStateError, Lock, Pool, RawValue, RLock, Semaphore } from 'tandem';
import { ALL_BACKENDS } from './fixtures/backends.ts';
import tasks from './fixtures/shared-tasks.ts';

for (const backend of ALL_BACKENDS) {
  // The inline backend runs one task at a time on this thread: the main thread plays the other party.
  const parallel = backend === 'inline' ? 1 : 3;

  describe(`Lock, RLock, Event, Semaphore (${backend})`, () => {
    const pool = new Pool({ workers: 3, backend });
    after(() => pool.terminate());

    for (const LockClass of [Lock, RLock]) {
      it(`a ${LockClass.name} protects a counter that many workers increment`, async () => {
        const lock = new LockClass();
        const counter = new RawValue('int32', 0);
        const calls = Array.from({ length: 6 }, () => pool.apply(tasks.incrementWithLock, [lock, counter, 25]));
        // The main thread joins in through the same lock.
        await tasks.incrementWithLock(lock, counter, 25);
        await Promise.all(calls);
        assert.equal(counter.value, 7 * 25);
        assert.equal(await lock.acquire({ timeout: 0 }), true, 'the lock is free again');
        lock.release();
      });
    }

    it('acquire({ timeout }) resolves false while another holds the lock, in the worker too', async () => {
      const lock = new Lock();
      assert.equal(await lock.acquire(), true);
      assert.equal(lock.locked(), true);
      assert.equal(await lock.acquire({ timeout: 20 }), false);
      assert.equal(await pool.apply(tasks.tryAcquire, [lock, 20]), false);
      lock.release();
      assert.equal(await pool.apply(tasks.tryAcquire, [lock, 1000]), true);
      assert.equal(lock.locked(), true, 'the worker took it and did not release it');
      lock.release();
      assert.throws(() => lock.release(), InvalidStateError);
    });

    it('RLock.locked() tells whether anyone holds it, through nested holds and when a worker does', async () => {
      const lock = new RLock();
      assert.equal(lock.locked(), false);
      await lock.acquire();
      await lock.acquire();
      lock.release();
      assert.equal(lock.locked(), true, 'one level is still held');
      lock.release();
      assert.equal(lock.locked(), false);
      assert.equal(await pool.apply(tasks.tryAcquire, [lock, 1000]), true);
      assert.equal(lock.locked(), true, 'held by the worker, which did not release it');
      assert.equal(await lock.acquire({ timeout: 0 }), false);
    });

    it('Event.wait() in workers resolves true once the main thread sets it', async () => {
      const event = new Event();
      const ready = new Semaphore(0);
      const waits = Array.from({ length: parallel }, () => pool.apply(tasks.waitForEvent, [event, ready]));
      for (let i = 0; i < parallel; i++) await ready.acquire();
      assert.equal(event.isSet(), false);
      event.set();
      assert.deepEqual(await Promise.all(waits), Array(parallel).fill(true));
    });

    it('Event.wait(timeout) resolves false when nobody sets it; a worker can set it for the main thread', async () => {
      const event = new Event();
      assert.equal(await pool.apply(tasks.waitForEvent, [event, undefined, 20]), false);
      assert.equal(await event.wait(10), false);
      const waiting = event.wait();
      await pool.apply(tasks.setEvent, [event]);
      assert.equal(await waiting, true);
      assert.equal(event.isSet(), true);
      assert.equal(await event.wait(0), true);
      event.clear();
      assert.equal(event.isSet(), false);
    });

    it('a Semaphore bounds how many workers are inside at once', async () => {
      const sem = new Semaphore(2);
      const inside = new RawValue('int32', 0);
      const most = new RawValue('int32', 0);
      const lock = new Lock();
      await Promise.all(
        Array.from({ length: 6 }, () => pool.apply(tasks.holdSemaphore, [sem, inside, most, lock, 10])),
      );
      assert.ok(most.value >= 1 && most.value <= 2, `at most 2 inside, saw ${most.value}`);
      assert.equal(inside.value, 0);
      assert.equal(sem.value, 2);
    });

    it('an exhausted Semaphore makes workers wait until a unit is released', async () => {
      const sem = new Semaphore(1);
      assert.equal(await sem.acquire(), true);
      assert.equal(await pool.apply(tasks.tryAcquire, [sem, 0]), false);
      const waiting = pool.apply(tasks.tryAcquire, [sem, 10_000]);
      sem.release();
      assert.equal(await waiting, true);
      assert.equal(sem.value, 0);
    });

    it('a BoundedSemaphore refuses to be released above its initial value, from a worker too', async () => {
      const sem = new BoundedSemaphore(1);
      assert.throws(() => sem.release(), InvalidStateError);
      await sem.acquire();
      const answer = await pool.apply(tasks.releaseTooMany, [sem]);
      assert.equal(answer, 'ok');
      if (backend === 'process') {
        // One-way across processes: the parent reports the second release as a warning.
        assert.equal(sem.value, 1);
      } else {
        const second = await pool.apply(tasks.releaseTooMany, [sem]);
        assert.equal(typeof second === 'object' && second.code, 'ERR_TANDEM_INVALID_STATE');
      }
    });
  });
}

describe('Lock, RLock and Event in worker threads (synchronous members)', () => {
  const pool = new Pool({ workers: 3, backend: 'thread' });
  after(() => pool.terminate());

  it('acquireSync protects a counter bumped through .value by several threads', async () => {
    for (const lock of [new Lock(), new RLock()]) {
      const counter = new RawValue('int32', 0);
      await Promise.all(Array.from({ length: 3 }, () => pool.apply(tasks.incrementSync, [lock, counter, 2000])));
      assert.equal(counter.value, 6000);
    }
  });

  it('an RLock can be taken again by the thread that holds it, and not by another', async () => {
    const lock = new RLock();
    assert.equal(await pool.apply(tasks.nestRLock, [lock]), true);
    await lock.acquire();
    assert.equal(await pool.apply(tasks.tryAcquire, [lock, 20]), false);
    lock.release();
    assert.equal(await pool.apply(tasks.tryAcquire, [lock, 0]), true);
  });

  it('waitSync blocks the worker thread until the event is set', async () => {
    const event = new Event();
    const ready = new Semaphore(0);
    const waits = [0, 1, 2].map(() => pool.apply(tasks.waitForEventSync, [event, ready]));
    for (let i = 0; i < 3; i++) await ready.acquire();
    event.set();
    assert.deepEqual(await Promise.all(waits), [true, true, true]);
    assert.equal(await pool.apply(tasks.waitForEventSync, [new Event(), undefined, 10]), false);
  });
});
