import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Barrier, BrokenBarrierError, Condition, Event, InvalidStateError, Lock, Pool, RawValue } from 'tandem';
import { ALL_BACKENDS } from './fixtures/backends.ts';
import tasks from './fixtures/shared-tasks.ts';

for (const backend of ALL_BACKENDS) {
  // The inline backend runs one task at a time on this thread: the main thread is the other party.
  const workers = backend === 'inline' ? 1 : 2;

  describe(`Barrier and Condition (${backend})`, () => {
    const pool = new Pool({ workers: 2, backend });
    after(() => pool.terminate());

    it('a Barrier lets its parties through together, each with its own index, and can be used again', async () => {
      const barrier = new Barrier(workers + 1);
      for (let round = 0; round < 3; round++) {
        const waits = Array.from({ length: workers }, () => pool.apply(tasks.barrierWait, [barrier, undefined]));
        const mine = await barrier.wait();
        const indexes = [mine, ...((await Promise.all(waits)) as number[])].sort();
        assert.deepEqual(
          indexes,
          Array.from({ length: workers + 1 }, (_, i) => i),
        );
      }
      assert.equal(barrier.nWaiting, 0);
    });

    it("a Barrier's action runs once per cycle, in one party, before any party goes on", async () => {
      const cycles = new RawValue('int32', 0);
      const barrier = new Barrier(workers + 1, { action: tasks.countCycle, actionArgs: [cycles] });
      const rounds = 3;
      const waits = Array.from({ length: workers }, () => pool.apply(tasks.barrierRounds, [barrier, cycles, rounds]));
      const mine: number[] = [];
      for (let round = 0; round < rounds; round++) {
        await barrier.wait();
        mine.push(cycles.value);
      }
      // Every party sees exactly round + 1 cycles: the action of its round ran before it was let go,
      // and the next round's cannot run before this party arrives again.
      for (const seen of [mine, ...(await Promise.all(waits))]) assert.deepEqual(seen, [1, 2, 3]);
      assert.equal(cycles.value, rounds);
    });

    it("a failing action rejects its party's wait with its error and breaks the barrier for the others", async () => {
      const barrier = new Barrier(workers + 1, { action: tasks.failingAction });
      const waits = Array.from({ length: workers }, () => pool.apply(tasks.barrierWait, [barrier, undefined]));
      const mine = await barrier.wait().then(
        (index) => index,
        (error: Error) => ({ name: error.name, message: error.message }),
      );
      const outcomes = [mine, ...(await Promise.all(waits))].map((o) =>
        typeof o === 'object' ? `${o.name}: ${o.message}` : `index ${o}`,
      );
      assert.equal(outcomes.filter((o) => o === 'Error: action failed').length, 1, outcomes.join('; '));
      assert.equal(outcomes.filter((o) => o.startsWith('BrokenBarrierError')).length, workers, outcomes.join('; '));
      assert.equal(barrier.broken, true);
    });

    it('abort() breaks the barrier for a waiting worker and for later arrivals, until reset()', async () => {
      const barrier = new Barrier(workers + 1);
      const started = new Event();
      const waiting = pool.apply(tasks.barrierWait, [barrier, started]);
      await started.wait();
      barrier.abort();
      const answer = await waiting;
      assert.equal(typeof answer === 'object' && answer.code, 'ERR_TANDEM_BROKEN_BARRIER');
      assert.equal(barrier.broken, true);
      await assert.rejects(barrier.wait(), BrokenBarrierError);
      barrier.reset();
      assert.equal(barrier.broken, false);
      const again = Array.from({ length: workers }, () => pool.apply(tasks.barrierWait, [barrier, undefined]));
      await barrier.wait();
      for (const index of await Promise.all(again)) assert.equal(typeof index, 'number');
    });

    it('a party that times out breaks the barrier (BrokenBarrierError)', async () => {
      const barrier = new Barrier(3);
      const answer = await pool.apply(tasks.barrierWait, [barrier, undefined, 20]);
      assert.equal(typeof answer === 'object' && answer.name, 'BrokenBarrierError');
      await assert.rejects(barrier.wait(), BrokenBarrierError);
    });

    for (const makeLock of [() => new Lock(), () => undefined]) {
      const which = makeLock() ? 'a Lock' : 'its default RLock';
      it(`Condition.waitFor with ${which}: a worker waits until the main thread raises the level`, async () => {
        const cond = new Condition(makeLock());
        const level = new RawValue('int32', 0);
        const waiting = new Event();
        const waiter = pool.apply(tasks.waitForLevel, [cond, level, 3, waiting]);
        await waiting.wait();
        for (let to = 1; to <= 3; to++) {
          await cond.withLock(async () => {
            await level.set(to);
            cond.notifyAll();
          });
        }
        assert.equal(await waiter, 3);
      });
    }

    it('Condition: the main thread waits until a worker notifies', async () => {
      const cond = new Condition();
      const level = new RawValue('int32', 0);
      const result = cond.withLock(() => cond.waitFor(async () => (await level.get()) === 5));
      await pool.apply(tasks.raiseLevel, [cond, level, 5]);
      assert.equal(await result, true);
      assert.equal(await cond.withLock(() => cond.waitFor(() => false, 10)), false, 'waitFor gives up at its timeout');
    });

    it('Condition.wait and notify need the lock held', async () => {
      const cond = new Condition(new Lock());
      await assert.rejects(cond.wait(10), InvalidStateError);
      assert.throws(() => cond.notify(), InvalidStateError);
    });
  });
}
