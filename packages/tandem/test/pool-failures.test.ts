import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InlineTaskError, Pool, TaskError, WorkerExitError, WorkerInitError } from 'tandem';
import { ALL_BACKENDS, ISOLATED_BACKENDS } from './fixtures/backends.ts';
import { RUNTIME } from './fixtures/runtime.ts';
import tasks from './fixtures/tasks.ts';

for (const backend of ALL_BACKENDS) {
  describe(`Pool failures (${backend})`, () => {
    it('a task that throws rejects with TaskError carrying the remote details; its worker lives on', async () => {
      await using pool = new Pool({ workers: 1, backend });
      const started: number[] = [];
      pool.on('workerStart', (e) => started.push(e.workerId));
      const before = await pool.apply(tasks.threadInfo, []);
      const error = await pool.apply(tasks.fail, ['broken input']).catch((e: unknown) => e);
      assert.ok(error instanceof TaskError);
      assert.equal(error.code, 'ERR_TANDEM_TASK');
      assert.equal(error.remoteName, 'RangeError');
      assert.equal(error.remoteCode, 'E_FIXTURE');
      assert.equal(error.task, 'fail');
      assert.match(error.message, /broken input/);
      assert.match(error.remoteStack ?? '', /fixtures[/\\]tasks\.ts/);
      const afterwards = await pool.apply(tasks.threadInfo, []);
      assert.deepEqual([afterwards.pid, afterwards.threadId], [before.pid, before.threadId]);
      assert.equal(started.length, 1);
    });

    it('map rejects with the failing item index', async () => {
      await using pool = new Pool({ workers: 2, backend });
      const error = await pool
        .starmap(
          tasks.failOn,
          [
            [0, 2],
            [1, 2],
            [2, 2],
            [3, 2],
          ],
          { chunkSize: 2 },
        )
        .catch((e) => e);
      assert.ok(error instanceof TaskError);
      assert.equal(error.index, 2);
      assert.match(error.message, /bad item 2/);
    });

    it('an inline function that uses a closure variable fails with an error pointing to defineTasks', async () => {
      await using pool = new Pool({ workers: 1, backend });
      const offset = 10;
      const error = await pool.apply((x: number) => x + offset, [1]).catch((e: unknown) => e);
      assert.ok(error instanceof InlineTaskError);
      assert.match(error.message, /offset is not defined/);
      assert.match(error.message, /defineTasks/);
    });

    it('an initializer that throws fails every task with WorkerInitError instead of respawning forever', async () => {
      const pool = new Pool({ workers: 2, backend, initializer: tasks.fail, initArgs: ['no database'] });
      const results = await Promise.allSettled([pool.apply(tasks.square, [1]), pool.map(tasks.square, [1, 2, 3])]);
      for (const r of results) {
        assert.equal(r.status, 'rejected');
        assert.ok(r.reason instanceof WorkerInitError);
        assert.match(r.reason.message, /no database/);
      }
      await assert.rejects(pool.apply(tasks.square, [1]), WorkerInitError);
      await pool.terminate();
    });
  });
}

for (const backend of ISOLATED_BACKENDS) {
  describe(`Pool worker deaths (${backend})`, () => {
    for (const [what, run, exitCode] of [
      ['process.exit(3)', (pool: Pool) => pool.apply(tasks.exitWith, [3]), 3],
      ['an uncaught exception in a timer', (pool: Pool) => pool.apply(tasks.throwInTimer, [10_000]), 1],
    ] as const) {
      it(`a worker that dies mid-task (${what}) rejects exactly that task with WorkerExitError; the rest complete`, async () => {
        await using pool = new Pool({ workers: 2, backend });
        const exits: number[] = [];
        pool.on('workerExit', (e) => exits.push(e.exitCode));
        const others = Array.from({ length: 40 }, (_, i) => pool.apply(tasks.sleep, [i % 5]));
        const doomed = run(pool);
        const more = Array.from({ length: 40 }, (_, i) => pool.apply(tasks.square, [i]));
        const error = await doomed.catch((e: unknown) => e);
        assert.ok(error instanceof WorkerExitError, `expected WorkerExitError, got ${String(error)}`);
        assert.equal(error.exitCode, exitCode);
        assert.ok(error.task === 'exitWith' || error.task === 'throwInTimer');
        assert.deepEqual(
          await Promise.all(others),
          Array.from({ length: 40 }, (_, i) => i % 5),
        );
        assert.deepEqual(
          await Promise.all(more),
          Array.from({ length: 40 }, (_, i) => i * i),
        );
        assert.deepEqual(exits, [exitCode]);
        assert.equal(pool.stats().failed, 1);
      });
    }

    it('an uncaught error in a timer keeps its message as the cause', async () => {
      await using pool = new Pool({ workers: 1, backend });
      const error = await pool.apply(tasks.throwInTimer, [10_000]).catch((e: unknown) => e);
      assert.ok(error instanceof WorkerExitError);
      assert.match(String((error.cause as Error).message), /boom from a timer/);
    });

    it('a worker that runs out of heap (resourceLimits) rejects with WorkerExitError and is replaced', async () => {
      if (RUNTIME !== 'node') {
        // Bun and Deno do not enforce heap limits: tandem refuses the option there instead.
        assert.throws(() => new Pool({ resourceLimits: { maxOldGenerationSizeMb: 24 } }), /does not limit the heap/);
        return;
      }
      await using pool = new Pool({
        workers: 1,
        resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 },
      });
      const error = await pool.apply(tasks.hog, [512]).catch((e: unknown) => e);
      assert.ok(error instanceof WorkerExitError, `expected WorkerExitError, got ${String(error)}`);
      assert.match(String((error.cause as Error)?.message ?? error.message), /memory/i);
      assert.equal(await pool.apply(tasks.square, [7]), 49);
      assert.equal(pool.stats().workersStarted, 2);
    });

    it('a task that kills its worker every time is not retried forever', async () => {
      await using pool = new Pool({ workers: 2, backend });
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => pool.apply(tasks.exitWith, [5])));
      for (const r of results) {
        assert.equal(r.status, 'rejected');
        assert.ok(r.reason instanceof WorkerExitError);
      }
    });

    it('a native or bound function is refused before it is sent', async () => {
      await using pool = new Pool({ workers: 1 });
      await assert.rejects(pool.apply(Math.max, [1, 2]), InlineTaskError);
      await assert.rejects(
        pool.map(tasks.square.bind(null), [1]),
        (e: unknown) => e instanceof InlineTaskError && /native or bound/.test((e as Error).message),
      );
    });
  });
}
