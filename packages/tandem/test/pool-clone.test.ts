/**
 * Values that cannot cross to a worker or back: the one call that holds them rejects with an
 * error naming the task, the item and the argument; the pool, its workers and every other
 * call go on (issue: an uncaught DataCloneError used to end the whole program).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArgumentCloneError, Pool, Process, ResultCloneError } from 'tandem';
import { ALL_BACKENDS } from './fixtures/backends.ts';
import { Summer } from './fixtures/process-classes.ts';
import tasks from './fixtures/tasks.ts';

for (const backend of ALL_BACKENDS) {
  describe(`values that cannot be sent (${backend})`, () => {
    it('map with a function among its arguments rejects alone; calls sent in the same turn still run', async () => {
      await using pool = new Pool({ workers: 1, backend });
      // All three go to the one worker in one message: the bad one must not sink the others.
      const before = pool.apply(tasks.square, [3]);
      const bad = pool.map(tasks.echo, [1, { f: () => 1 }, 3], { chunkSize: 1 });
      const after = pool.map(tasks.square, [1, 2]);
      const error = await bad.then(
        () => assert.fail('the call with a function argument resolved'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ArgumentCloneError, String(error));
      assert.equal(error.code, 'ERR_TANDEM_ARGUMENT_CLONE');
      assert.equal(error.task, 'echo');
      assert.equal(error.index, 1);
      assert.equal(error.argument, 0);
      assert.equal(error.path, '.f');
      assert.match(error.message, /task echo cannot be sent to a worker: argument 0\.f of item 1 is a function \(f\)/);
      assert.equal(await before, 9);
      assert.deepEqual(await after, [1, 4]);
      assert.deepEqual(await pool.map(tasks.square, [5]), [25], 'the pool goes on');
    });

    it('apply, imap and starmap name the nested path of what cannot be cloned', async () => {
      await using pool = new Pool({ workers: 2, backend });
      const applied = await pool.apply(tasks.add, [1, { deep: [0, new WeakMap()] } as never]).catch((e: unknown) => e);
      assert.ok(applied instanceof ArgumentCloneError, String(applied));
      assert.equal(applied.argument, 1);
      assert.equal(applied.path, '.deep[1]');
      assert.match(applied.message, /a WeakMap/);

      const streamed: unknown[] = [];
      const items = [0, 1, 2, 3, new Map([['k', Symbol('s')]]), 5];
      const failure = await (async () => {
        for await (const value of pool.imap(tasks.echo, items, { chunkSize: 1 })) streamed.push(value);
      })().catch((e: unknown) => e);
      assert.ok(failure instanceof ArgumentCloneError, String(failure));
      assert.equal(failure.index, 4);
      assert.equal(failure.path, '.get("k")');
      assert.deepEqual(streamed, [0, 1, 2, 3], 'imap gives every result before the bad item');

      const starred = await pool
        .starmap(tasks.add, [
          [1, 2],
          [3, (() => 4) as never],
        ])
        .catch((e: unknown) => e);
      assert.ok(starred instanceof ArgumentCloneError, String(starred));
      assert.deepEqual([starred.index, starred.argument, starred.path], [1, 1, '']);
    });

    it('a result that cannot be sent back rejects its task with ResultCloneError; the worker lives on', async () => {
      await using pool = new Pool({ workers: 1, backend });
      const started: number[] = [];
      pool.on('workerStart', (e) => started.push(e.workerId));
      const before = await pool.apply(tasks.threadInfo, []);
      const error = await pool
        .starmap(
          tasks.unsendableAt,
          [
            [0, 2],
            [1, 2],
            [2, 2],
            [3, 2],
          ],
          { chunkSize: 4 },
        )
        .catch((e: unknown) => e);
      assert.ok(error instanceof ResultCloneError, String(error));
      assert.equal(error.code, 'ERR_TANDEM_RESULT_CLONE');
      assert.equal(error.task, 'unsendableAt');
      assert.equal(error.index, 2);
      assert.match(error.message, /result of item 2 cannot be sent back.*\.callback is a function/);
      const afterwards = await pool.apply(tasks.threadInfo, []);
      assert.deepEqual([afterwards.pid, afterwards.threadId], [before.pid, before.threadId], 'same worker');
      assert.equal(started.length, 1, 'no worker was replaced');
      assert.deepEqual(
        await pool.starmap(tasks.unsendableAt, [
          [0, 9],
          [1, 9],
        ]),
        [0, 1],
      );
    });

    it('a Process whose args or fields cannot be sent is refused at start(), before anything runs', () => {
      const p = new Process({ target: tasks.echo, args: [{ handler: () => 0 }], backend });
      const error = (() => {
        try {
          p.start();
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      assert.ok(error instanceof ArgumentCloneError, String(error));
      assert.equal(error.path, '.handler');
      assert.match(error.message, /task echo cannot be sent to a worker: argument 0\.handler of item 0 is a function/);
      assert.equal(p.isAlive(), false);

      const subclass = new Summer([1], 'unsendable', backend);
      (subclass as unknown as { label: unknown }).label = () => 'not data';
      assert.throws(() => subclass.start(), /field label of summer-unsendable is a function/);
    });
  });
}
