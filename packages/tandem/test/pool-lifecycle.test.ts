import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { InvalidStateError, Pool, PoolClosedError } from 'tandem';
import { ALL_BACKENDS, ISOLATED_BACKENDS } from './fixtures/backends.ts';
import { RUNTIME } from './fixtures/runtime.ts';
import tasks from './fixtures/tasks.ts';

const run = promisify(execFile);
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

for (const backend of ALL_BACKENDS) {
  const endless = backend === 'inline' ? tasks.idle : tasks.spin;
  describe(`Pool lifecycle (${backend})`, () => {
    it('close() refuses new work with PoolClosedError and lets queued work finish', async () => {
      const pool = new Pool({ workers: 1, backend });
      async function* later() {
        await new Promise((resolve) => setTimeout(resolve, 20));
        yield* [5, 6];
      }
      const queued = [
        pool.apply(tasks.sleep, [30]),
        pool.apply(tasks.square, [3]),
        pool.map(tasks.square, [1, 2]),
        pool.map(tasks.square, later()),
        collect(pool.imap(tasks.square, later())),
      ];
      pool.close();
      await assert.rejects(pool.apply(tasks.square, [1]), PoolClosedError);
      await assert.rejects(pool.map(tasks.square, [1]), PoolClosedError);
      await assert.rejects(pool.imap(tasks.square, [1]).next(), PoolClosedError);
      assert.deepEqual(await Promise.all(queued), [30, 9, [1, 4], [25, 36], [25, 36]]);
      await pool.join();
      assert.equal(pool.stats().workers, 0);
    });

    it('terminate() stops at once and rejects everything pending with PoolClosedError', async () => {
      const pool = new Pool({ workers: 1, backend });
      const running = pool.apply(endless, [60_000]);
      const queued = pool.apply(tasks.square, [2]);
      const streaming = pool.imap(tasks.square, [1, 2, 3]).next();
      const outcomes = Promise.allSettled([running, queued, streaming]);
      await new Promise((resolve) => pool.once('taskStart', resolve));
      await pool.terminate();
      for (const outcome of await outcomes) {
        assert.equal(outcome.status, 'rejected');
        assert.ok(outcome.reason instanceof PoolClosedError);
      }
      assert.equal(pool.stats().workers, 0);
    });

    it('join() before close() is refused', async () => {
      const pool = new Pool({ workers: 1 });
      await assert.rejects(pool.join(), InvalidStateError);
      await pool.terminate();
    });

    it('`await using` closes the pool and waits for its workers', async () => {
      let pool: Pool | undefined;
      {
        await using scoped = new Pool({ workers: 2, backend });
        pool = scoped;
        assert.deepEqual(await scoped.map(tasks.square, [1, 2, 3]), [1, 4, 9]);
      }
      assert.equal(pool.stats().workers, 0);
      await assert.rejects(pool.apply(tasks.square, [1]), PoolClosedError);
    });

    it('maxTasksPerWorker replaces a worker after that many tasks', async () => {
      await using pool = new Pool({ workers: 1, maxTasksPerWorker: 3, backend });
      const workerOfTask: number[] = [];
      let current = 0;
      pool.on('workerStart', (e) => {
        current = e.workerId;
      });
      for (let i = 0; i < 7; i++) {
        await pool.apply(tasks.square, [i]);
        workerOfTask.push(current);
      }
      assert.deepEqual(workerOfTask, [1, 1, 1, 2, 2, 2, 3]);
      assert.deepEqual(
        await pool.map(tasks.square, [1, 2, 3, 4, 5, 6, 7], { chunkSize: 1 }),
        [1, 4, 9, 16, 25, 36, 49],
      );
    });

    it('initializer runs once in each new worker with initArgs', async () => {
      await using pool = new Pool({
        workers: 2,
        backend,
        initializer: tasks.setup,
        initArgs: ['ready'],
        maxTasksPerWorker: 2,
      });
      const values = await pool.map(
        tasks.readInit,
        [undefined, undefined, undefined, undefined, undefined] as never[],
        {
          chunkSize: 1,
        },
      );
      assert.deepEqual(values, ['ready', 'ready', 'ready', 'ready', 'ready']);
    });

    it('stats() counts work and reports latency percentiles; events fire for workers and tasks', async () => {
      await using pool = new Pool({ workers: 2, name: 'stats-pool', backend });
      const events: string[] = [];
      pool.on('workerStart', () => events.push('workerStart'));
      pool.on('taskStart', () => events.push('taskStart'));
      pool.on('taskSettled', (e) => events.push(e.ok ? 'taskSettled ok' : 'taskSettled failed'));
      await pool.map(tasks.square, [1, 2, 3, 4], { chunkSize: 1 });
      await pool.apply(tasks.fail, ['x']).catch(() => {});
      const stats = pool.stats();
      assert.equal(stats.completed, 4);
      assert.equal(stats.failed, 1);
      assert.equal(stats.queued, 0);
      assert.equal(stats.busy, 0);
      assert.equal(stats.workers, stats.idle);
      assert.ok(stats.workers >= 1 && stats.workers <= 2);
      assert.equal(stats.runTime.count, 5);
      assert.ok(stats.runTime.p50 > 0 && stats.runTime.p99 >= stats.runTime.p50);
      assert.equal(stats.waitTime.count, 5);
      assert.equal(events.filter((e) => e === 'taskStart').length, 5);
      assert.equal(events.filter((e) => e === 'taskSettled ok').length, 4);
      assert.equal(events.filter((e) => e === 'taskSettled failed').length, 1);
      assert.ok(events.includes('workerStart'));
    });

    it('prefetch lets a busy worker hold jobs behind its running one, whatever their length', async () => {
      for (const [prefetch, expected] of [
        [0, 1],
        [2, 3],
      ] as const) {
        await using pool = new Pool({ workers: 1, backend, prefetch });
        let startedBeforeFirstSettled = 0;
        let settled = false;
        pool.on('taskStart', () => {
          if (!settled) startedBeforeFirstSettled++;
        });
        pool.on('taskSettled', () => {
          settled = true;
        });
        await pool.map(tasks.sleep, [20, 20, 20, 20], { chunkSize: 1 });
        assert.equal(startedBeforeFirstSettled, expected, `prefetch ${prefetch}`);
      }
    });

    it('rejects bad options with errors that name the option', () => {
      assert.throws(() => new Pool({ workers: 0 }), /workers must be a whole number >= 1, got 0/);
      assert.throws(() => new Pool({ taskTimeout: -5 }), /taskTimeout must be/);
      assert.throws(() => new Pool({ maxQueue: 1.5 }), /maxQueue must be/);
      assert.throws(() => new Pool({ prefetch: -1 }), /prefetch must be a whole number >= 0/);
      assert.throws(
        () => new Pool({ backend: 'fibers' as never }),
        /unknown backend "fibers": use 'thread', 'process', 'inline'/,
      );
      assert.throws(() => new Pool({ initArgs: [1] }), /initArgs was given without an initializer/);
    });
  });
}

for (const backend of ISOLATED_BACKENDS) {
  describe(`Pool in a program of its own (${backend})`, () => {
    it('a process using a pool it never closed exits on its own (compiled JS, no loader)', async () => {
      const { stdout } = await run(process.execPath, [fixture('run-compiled.mjs'), backend], { timeout: 20_000 });
      assert.equal(stdout.trim(), '[1,8,27]');
    });

    // Every way a program is started under tsx: workers must import .ts task modules too.
    const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
    const startedUnderTsx: [string, string[], NodeJS.ProcessEnv][] = [
      ['node --import tsx', ['--import', 'tsx', fixture('run-tsx.mts'), backend], {}],
      ['the tsx command (tsx main.ts)', [tsxCli, fixture('run-tsx.mts'), backend], {}],
      ["NODE_OPTIONS='--import tsx'", [fixture('run-tsx.mts'), backend], { NODE_OPTIONS: '--import tsx' }],
    ];
    for (const [how, args, env] of startedUnderTsx) {
      it(`works when the caller runs TypeScript through ${how}: workers import .ts task modules`, async () => {
        const { stdout } = await run(process.execPath, args, { timeout: 20_000, env: { ...process.env, ...env } });
        assert.equal(stdout.trim(), '[3,7]');
      });
    }

    for (const kind of ['process', 'pool'] as const) {
      it(`an unguarded main module that starts a ${kind === 'process' ? 'Process' : 'Pool'} fails with BootstrapError in the worker instead of starting more without end`, async () => {
        const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', fixture('unguarded-main.mts')], {
          timeout: 30_000,
          env: { ...process.env, UNGUARDED_KIND: kind, UNGUARDED_BACKEND: backend },
        });
        if (kind === 'process') {
          assert.equal(stdout.trim(), 'exit 1');
          assert.match(
            stderr,
            /BootstrapError: Process\.start\(\) \(Process-\d+\) was called while a worker was importing the task module file:.*unguarded-main\.mts/,
          );
          assert.match(stderr, /import\.meta\.main/);
        } else {
          assert.equal(stdout.trim(), 'TaskError BootstrapError');
        }
      });
    }

    // Not on Bun, which does not carry the guard's context into an import (docs/tandem.md,
    // "Runtimes"): there the worker's main() would start pools without end.
    if (RUNTIME !== 'bun')
      it('an un-awaited async main() that makes a Pool after its first await fails with BootstrapError in the worker', async () => {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture('unguarded-async-main.mts')], {
          timeout: 30_000,
          env: { ...process.env, UNGUARDED_BACKEND: backend },
        });
        assert.equal(stdout.trim(), "the main program's worker says: main() failed with BootstrapError");
      });

    it('a task module that is not the main module and makes a Pool when imported fails with BootstrapError', async () => {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture('uses-pool-at-import.mts')], {
        timeout: 30_000,
        env: { ...process.env, UNGUARDED_BACKEND: backend },
      });
      assert.equal(stdout.trim(), 'TaskError BootstrapError');
    });

    it('after terminate() no worker remains and the process exits on its own', async () => {
      const { stdout } = await run(process.execPath, [fixture('terminate-exits.mjs'), backend], { timeout: 20_000 });
      assert.deepEqual(stdout.trim().split('\n').sort(), ['PoolClosedError', 'workers 0']);
    });
  });
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}
