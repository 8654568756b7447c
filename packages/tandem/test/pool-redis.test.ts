/**
 * The Pool on BullMQ: a private redis-server on a free loopback port and three `tandem
 * worker` processes (the built bin). Skipped, with the reason, where redis-server is missing;
 * CI installs it (scripts/install-system-deps.sh).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { serialize } from 'node:v8';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import {
  AbortError,
  ArgumentCloneError,
  Pool,
  RedisConnectionError,
  ResultCloneError,
  TaskError,
  TimeoutError,
  Value,
  WorkerExitError,
} from 'tandem';
import { cancelChannel, decodeResult } from '../dist/redis/job-data.js';
import { RedisSession } from '../dist/redis/session.js';
import {
  freePort,
  HeldProxy,
  RedisServer,
  redisMissing,
  startWorker,
  type WorkerProcess,
} from './fixtures/redis-harness.ts';
import redisTasks from './fixtures/redis-tasks.ts';
import slowLoadTasks from './fixtures/slow-load-tasks.ts';
import tasks from './fixtures/tasks.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
/** The module `tasks` comes from (tasks.ts, or its compiled tasks.js when the tests run compiled). */
const TASKS_MODULE = fileURLToPath(new URL('./fixtures/tasks.ts', import.meta.url));
/** Small lock and stall intervals, so a killed worker's job is handed on within about two seconds. */
const FAST_STALLS = ['--lock-duration', '1000', '--stalled-interval', '300'];
const skip = redisMissing();

describe('Pool on Redis (BullMQ)', { skip: skip ?? false }, () => {
  let redis: RedisServer;
  let workers: WorkerProcess[] = [];
  let pool: Pool;
  const scratch = mkdtempSync(join(tmpdir(), 'tandem-redis-'));

  before(async () => {
    redis = new RedisServer(await freePort());
    await redis.start();
    workers = await Promise.all(
      [1, 2, 3].map(() => startWorker(redis.url, 'main', FIXTURES, [...FAST_STALLS, '--concurrency', '2'])),
    );
    pool = new Pool({ backend: 'redis', connection: redis.url, queue: 'main', root: FIXTURES, workers: 6 });
  });

  after(async () => {
    await pool?.terminate();
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.kill();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('apply, map, starmap and applyAsync run on the worker processes, in input order', async () => {
    assert.equal(await pool.apply(tasks.square, [3]), 9);
    const input = Array.from({ length: 100 }, (_, i) => i);
    assert.deepEqual(
      await pool.map(tasks.square, input),
      input.map((x) => x * x),
    );
    assert.deepEqual(
      await pool.map(tasks.square, input, { chunkSize: 7 }),
      input.map((x) => x * x),
    );
    assert.deepEqual(await pool.map(tasks.square, []), []);
    assert.deepEqual(await pool.map(tasks.sleep, [120, 1, 60, 1], { chunkSize: 1 }), [120, 1, 60, 1]);
    assert.deepEqual(
      await pool.starmap(tasks.add, [
        [1, 2],
        [3, 4],
      ]),
      [3, 7],
    );
    let called: number | undefined;
    const result = pool.applyAsync(tasks.add, [20, 22], {
      callback: (value) => {
        called = value;
      },
    });
    assert.equal(await result, 42);
    assert.equal(called, 42);
    assert.equal(result.successful(), true);
    const pids = new Set(
      await pool.map(
        redisTasks.pid,
        Array.from({ length: 30 }, () => undefined as never),
        { chunkSize: 1 },
      ),
    );
    assert.ok(!pids.has(process.pid), 'tasks ran in other processes');
    for (const pid of pids)
      assert.ok(
        workers.some((w) => w.pid === pid),
        `pid ${pid} is one of the workers`,
      );
  });

  it('imap yields in input order, lazily; imapUnordered in completion order', async () => {
    const ordered: number[] = [];
    for await (const ms of pool.imap(tasks.sleep, [200, 1, 1], { chunkSize: 1 })) ordered.push(ms);
    assert.deepEqual(ordered, [200, 1, 1]);
    // The first item holds until the second's result is in: completion order by events.
    const control = new Redis(redis.url);
    const unordered: string[] = [];
    const items = [
      { url: redis.url, name: 'unordered-held', hold: true },
      { url: redis.url, name: 'unordered-free', hold: false },
    ];
    try {
      for await (const name of pool.imapUnordered(redisTasks.gateItem, items, { chunkSize: 1 })) {
        unordered.push(name);
        if (name === 'unordered-free') await control.rpush('release:unordered-held', 'go');
      }
    } finally {
      control.disconnect();
    }
    assert.deepEqual(unordered, ['unordered-free', 'unordered-held']);
    let pulled = 0;
    function* endless() {
      for (;;) {
        pulled++;
        yield pulled;
      }
    }
    const got: number[] = [];
    for await (const y of pool.imap(tasks.square, endless(), { maxInFlight: 8 })) {
      got.push(y);
      if (got.length === 20) break;
    }
    assert.deepEqual(
      got,
      Array.from({ length: 20 }, (_, i) => (i + 1) ** 2),
    );
    assert.ok(pulled <= 20 + 8, `pulled ${pulled} items for 20 results with maxInFlight 8`);
  });

  it('structured data survives the trip (Maps, Dates, typed arrays, BigInt)', async () => {
    const value = { seen: false, map: new Map([[1, new Date(5)]]), bytes: new Uint8Array([1, 2]), big: 2n ** 70n };
    assert.deepEqual(await pool.apply(tasks.mark, [value as never]), { ...value, seen: true });
  });

  it('arguments or results that cannot be encoded reject their own call alone, naming the item', async () => {
    const good = pool.map(tasks.square, [1, 2, 3], { chunkSize: 1 });
    const bad = await pool.map(tasks.echo, [1, { f: () => 1 }], { chunkSize: 1 }).catch((e: unknown) => e);
    assert.ok(bad instanceof ArgumentCloneError, String(bad));
    assert.deepEqual([bad.task, bad.index, bad.argument, bad.path], ['echo', 1, 0, '.f']);
    assert.deepEqual(await good, [1, 4, 9]);
    const unsendable = await pool
      .starmap(
        tasks.unsendableAt,
        [
          [0, 1],
          [1, 1],
        ],
        { chunkSize: 2 },
      )
      .catch((e: unknown) => e);
    assert.ok(unsendable instanceof ResultCloneError, String(unsendable));
    assert.equal(unsendable.index, 1);
    assert.match(unsendable.message, /\.callback is a function/);
    assert.equal(await pool.apply(tasks.square, [4]), 16);
    // Shared objects cannot travel to other hosts, however deep they sit.
    await assert.rejects(
      pool.apply(tasks.echo, [{ nested: [new Value('int32', 0)] }]),
      /shared objects \(Value, Queue, Lock\.\.\.\) cannot travel to Redis workers/,
    );
  });

  it("a task's error rejects with TaskError, with the remote name, code and item index", async () => {
    const error = await pool.apply(tasks.fail, ['boom']).catch((e: unknown) => e);
    assert.ok(error instanceof TaskError);
    assert.equal(error.remoteName, 'RangeError');
    assert.equal(error.remoteCode, 'E_FIXTURE');
    assert.match(error.message, /boom/);
    await assert.rejects(
      pool.map((tasks.failOn as (x: number) => number).bind(null), [1]),
      /cannot run|bound|native|inline/i,
    );
    const mapped = await pool
      .starmap(
        tasks.failOn,
        [
          [1, 3],
          [2, 3],
          [3, 3],
          [4, 3],
        ],
        { chunkSize: 1 },
      )
      .catch((e) => e);
    assert.ok(mapped instanceof TaskError);
    assert.equal(mapped.index, 2);
  });

  it('refuses inline functions and modules outside its root before sending anything', async () => {
    await assert.rejects(
      pool.apply((x: number) => x + 1, [1]),
      /redis backend cannot run inline functions/,
    );
    const narrow = new Pool({ backend: 'redis', connection: redis.url, queue: 'main', root: scratch });
    await assert.rejects(narrow.apply(tasks.square, [2]), { name: 'ModuleOutsideRootError' });
    await narrow.terminate();
  });

  it('a worker refuses a module that resolves outside its root ("..", absolute, symlinks)', async () => {
    // This worker's root holds only a symlink to the real fixtures.
    const root = join(scratch, 'root');
    rmSync(root, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(root);
    symlinkSync(TASKS_MODULE, join(root, basename(TASKS_MODULE)));
    const guard = await startWorker(redis.url, 'guarded', root);
    try {
      const viaLink = new Pool({ backend: 'redis', connection: redis.url, queue: 'guarded', root: FIXTURES });
      const error = await viaLink.apply(tasks.square, [2]).catch((e: unknown) => e);
      await viaLink.terminate();
      assert.ok(error instanceof TaskError);
      assert.equal(error.remoteName, 'ModuleOutsideRootError');
      assert.match(error.message, /outside the worker's root/);
      // Raw jobs, as anyone who can write to Redis could add them.
      const queue = new Queue('guarded', { connection: { url: redis.url } });
      // Read the events stream from its start: a reader at '$' (the default) misses what is
      // written before its first blocking read, and then waitUntilFinished waits forever
      // (seen: the first raw job completed in Redis, its caller hung).
      const events = new QueueEvents('guarded', { connection: { url: redis.url }, lastEventId: '0-0' });
      try {
        await events.waitUntilReady();
        for (const module of ['../fixtures/tasks.ts', 'sub/../../tasks.ts', join(FIXTURES, 'tasks.ts')]) {
          // Both encodings of the arguments: v8 (base64) and plain JSON.
          for (const encoded of [{ items: serialize([[2]]).toString('base64') }, { args: [[2]] }]) {
            const job = await queue.add('tandem', { v: 1, module, name: 'square', ...encoded });
            const out = decodeResult(await job.waitUntilFinished(events, 20_000));
            assert.equal(out.error?.name, 'ModuleOutsideRootError', module);
            assert.deepEqual(out.values, []);
          }
        }
      } finally {
        await Promise.all([queue.close(), events.close()]);
      }
      assert.match(guard.log(), /refused job/);
    } finally {
      await guard.stop();
    }
  });

  it('a worker never runs one (module, name) for another whose names join to the same text', async () => {
    // "m#a.mjs" + "b" and "m" + "a.mjs#b" both read "m#a.mjs#b" when joined with '#'.
    const root = join(scratch, 'keys');
    mkdirSync(root, { recursive: true });
    const tasksModule = new URL('../dist/tasks.js', import.meta.url).href;
    writeFileSync(
      join(root, 'm#a.mjs'),
      `import { defineTasks } from ${JSON.stringify(tasksModule)};\nexport default defineTasks(import.meta.url, { b: () => 'm#a.mjs b' });\n`,
    );
    const host = await startWorker(redis.url, 'keys', root);
    const queue = new Queue('keys', { connection: { url: redis.url } });
    const events = new QueueEvents('keys', { connection: { url: redis.url }, lastEventId: '0-0' });
    try {
      const run = async (module: string, name: string) => {
        const job = await queue.add('tandem', { v: 1, module, name, args: [[]] });
        return decodeResult(await job.waitUntilFinished(events, 20_000));
      };
      assert.deepEqual((await run('m#a.mjs', 'b')).values, ['m#a.mjs b']);
      const other = await run('m', 'a.mjs#b');
      assert.deepEqual(other.values, []);
      assert.ok(other.error, 'module "m" does not exist: the job must fail');
    } finally {
      await Promise.all([queue.close(), events.close()]);
      await host.stop();
    }
  });

  it('workers bounds the jobs this pool has in Redis at once, however tiny the jobs', async () => {
    // The events stream says exactly when each job entered Redis and when it left.
    const events = new QueueEvents('main', { connection: { url: redis.url } });
    const narrow = new Pool({ backend: 'redis', connection: redis.url, queue: 'main', root: FIXTURES, workers: 3 });
    try {
      await events.waitUntilReady();
      // By id: should the reader miss the first 'added' events (it starts at '$'), a job's
      // 'completed' alone must not unbalance the count.
      const inRedis = new Set<string>();
      let most = 0;
      events.on('added', ({ jobId }) => {
        inRedis.add(jobId);
        most = Math.max(most, inRedis.size);
      });
      events.on('completed', ({ jobId }) => inRedis.delete(jobId));
      const input = Array.from({ length: 300 }, (_, i) => i);
      assert.deepEqual(
        await narrow.map(tasks.square, input, { chunkSize: 1 }),
        input.map((x) => x * x),
      );
      await waitFor(() => inRedis.size === 0);
      assert.ok(most >= 1 && most <= 3, `at most 3 jobs in Redis at once, saw ${most}`);
    } finally {
      await narrow.terminate();
      await events.close();
    }
  });

  it('keeps 128 jobs in Redis by default, and workers + prefetch jobs when both are set', async () => {
    // No worker serves these queues: the jobs a pool sends stay waiting, and one turn's jobs
    // go to Redis in one addBulk, so the count settles at once on the window's size.
    for (const [options, window] of [
      [{}, 128],
      [{ workers: 2, prefetch: 1 }, 4],
    ] as const) {
      const name = `window-${window}`;
      const pool = new Pool({ backend: 'redis', connection: redis.url, queue: name, root: FIXTURES, ...options });
      const queue = new Queue(name, { connection: { url: redis.url } });
      try {
        const input = Array.from({ length: 300 }, (_, i) => i);
        const call = pool.map(tasks.square, input, { chunkSize: 1 }).catch((e: unknown) => e);
        await waitFor(async () => (await queue.getWaitingCount()) > 0);
        assert.equal(await queue.getWaitingCount(), window, JSON.stringify(options));
        await pool.terminate();
        assert.equal(((await call) as Error).name, 'PoolClosedError');
      } finally {
        await pool.terminate();
        await queue.close();
      }
    }
  });

  it('a timeout stops only its own job: the other job of the same slot is not sent again', async () => {
    // One slot holding two jobs (prefetch 1), each running on its own host at the same time.
    const hosts = await Promise.all([1, 2].map(() => startWorker(redis.url, 'timeouts', FIXTURES)));
    const events = new QueueEvents('timeouts', { connection: { url: redis.url } });
    const queue = new Queue('timeouts', { connection: { url: redis.url } });
    const pool = new Pool({
      backend: 'redis',
      connection: redis.url,
      queue: 'timeouts',
      root: FIXTURES,
      workers: 1,
      prefetch: 1,
      taskTimeout: 300,
    });
    try {
      await events.waitUntilReady();
      let started = 0;
      events.on('active', () => started++);
      const outcomes = await Promise.all([1, 2].map(() => pool.apply(tasks.sleep, [1500]).catch((e: unknown) => e)));
      for (const outcome of outcomes) assert.ok(outcome instanceof TimeoutError, String(outcome));
      await waitFor(async () => {
        const counts = await queue.getJobCounts('waiting', 'active');
        return counts.waiting === 0 && counts.active === 0;
      });
      // Stopping the whole slot for the first timeout would have sent the second job again.
      assert.equal(started, 2, 'each job started once');
    } finally {
      await pool.terminate();
      await Promise.all([events.close(), queue.close()]);
      await Promise.all(hosts.map((host) => host.stop()));
    }
  });

  it('a job is timed from its own start, not from when the other job of its slot ends', {
    timeout: 60_000,
  }, async () => {
    // One slot (workers 1, prefetch 1) holds job A, then job B, each running on its own host.
    // A (a chunk of 100 items, budget 100 x 300 ms) holds in its first item until B has timed
    // out; B (one item that holds, budget 300 ms) must time out while A still runs. Timed
    // from A's end instead, B would never time out and A never be released: the test fails
    // by its own timeout rather than by a race.
    const hosts = await Promise.all([1, 2].map(() => startWorker(redis.url, 'own-start', FIXTURES)));
    const control = new Redis(redis.url);
    const pool = new Pool({
      backend: 'redis',
      connection: redis.url,
      queue: 'own-start',
      root: FIXTURES,
      workers: 1,
      prefetch: 1,
      taskTimeout: 300,
    });
    try {
      const aItems = Array.from({ length: 100 }, (_, i) => [redis.url, 'A', i === 0] as [string, string, boolean]);
      const a = pool.starmap(redisTasks.gate, aItems, { chunkSize: 100 });
      assert.deepEqual(await control.blpop('started:A', 0), ['started:A', 'A']);
      const b = pool.apply(redisTasks.gate, [redis.url, 'B', true]);
      await assert.rejects(b, TimeoutError);
      await control.rpush('release:A', 'go');
      assert.equal((await a).length, 100);
    } finally {
      await control.rpush('release:B', 'go');
      control.disconnect();
      await pool.terminate();
      await Promise.all(hosts.map((host) => host.stop()));
    }
  });

  it('taskTimeout does not count the time a worker host takes to import the task module', async () => {
    // The module takes 1.5 s to import on these hosts; its task returns at once, well within 300 ms.
    const hosts = await Promise.all(
      [1, 2].map(() => startWorker(redis.url, 'slow-load', FIXTURES, [], { TANDEM_TEST_LOAD_MS: '1500' })),
    );
    const pool = new Pool({
      backend: 'redis',
      connection: redis.url,
      queue: 'slow-load',
      root: FIXTURES,
      workers: 2,
      taskTimeout: 300,
    });
    try {
      assert.deepEqual(await pool.map(slowLoadTasks.echo, [1, 2], { chunkSize: 1 }), [1, 2]);
    } finally {
      await pool.terminate();
      await Promise.all(hosts.map((host) => host.stop()));
    }
  });

  it('timeout, abort and terminate remove waiting jobs from Redis', async () => {
    // No worker serves this queue: every job waits.
    const idle = new Pool({ backend: 'redis', connection: redis.url, queue: 'nobody', root: FIXTURES, workers: 4 });
    const queue = new Queue('nobody', { connection: { url: redis.url } });
    try {
      await assert.rejects(idle.apply(tasks.square, [1], { timeout: 100 }), TimeoutError);
      const controller = new AbortController();
      const aborted = idle.apply(tasks.square, [2], { signal: controller.signal });
      const pending = [1, 2, 3].map((x) => idle.apply(tasks.square, [x]).catch((e: unknown) => e));
      await waitFor(async () => (await queue.getWaitingCount()) === 4);
      controller.abort();
      await assert.rejects(aborted, AbortError);
      await idle.terminate();
      for (const outcome of await Promise.all(pending)) assert.equal((outcome as Error).name, 'PoolClosedError');
      assert.equal(await queue.getWaitingCount(), 0, 'no job of the pool is left behind');
    } finally {
      await queue.close();
    }
  });

  it('a call that times out while the pool still connects leaves no job in Redis', async () => {
    // The proxy holds the pool's connection until released, so the timeout fires, with no race,
    // before the pool could add anything; once it connects, only the later call's job may wait.
    const proxy = await HeldProxy.start(redis.port);
    const idle = new Pool({
      backend: 'redis',
      connection: proxy.url,
      queue: 'nobody-yet',
      root: FIXTURES,
      workers: 2,
      connectTimeout: 600_000,
    });
    const queue = new Queue('nobody-yet', { connection: { url: redis.url } });
    try {
      await assert.rejects(idle.apply(tasks.square, [1], { timeout: 50 }), TimeoutError);
      const later = idle.apply(tasks.echo, ['later']).catch((e: unknown) => e);
      proxy.release();
      await waitFor(async () => (await queue.getWaitingCount()) >= 1);
      const waiting = await queue.getWaiting();
      assert.deepEqual(
        waiting.map((job) => (job.data as { name: string }).name),
        ['echo'],
        'the timed-out call was never added',
      );
      await idle.terminate();
      assert.equal(((await later) as Error).name, 'PoolClosedError');
      assert.equal(await queue.getWaitingCount(), 0, 'no job of the pool is left behind');
    } finally {
      await queue.close();
      await proxy.close();
    }
  });

  it('a job cancelled while Redis has not yet answered its add, then the pool closing, is still removed', async () => {
    // The window of a call cancelled just as its pool closes, held open with no race: the job
    // is in Redis but the add's answer waits in the proxy, so the removal is deferred until the
    // add settles, and the session has ended by then. The removal must run all the same.
    const proxy = await HeldProxy.start(redis.port);
    proxy.release();
    const queue = new Queue('held-replies', { connection: { url: redis.url } });
    const session = new RedisSession(
      { connection: proxy.url, queue: 'held-replies', connectTimeout: 600_000 },
      () => {},
    );
    try {
      await session.ready;
      proxy.holdReplies();
      const added = session.add(
        'held-1',
        { v: 1, module: 'tasks.ts', name: 'echo', args: [['held']] },
        { attempts: 1, backoff: undefined },
        { resolve: () => {}, reject: () => {}, started: () => {} },
      );
      await waitFor(async () => (await queue.getWaitingCount()) === 1);
      const removal = session.cancel('held-1');
      session.close();
      proxy.releaseReplies();
      await added; // the add itself succeeded: the job did reach Redis
      await removal;
      assert.equal(await queue.getWaitingCount(), 0, 'the job whose add was under way is gone from Redis');
    } finally {
      session.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await proxy.close();
    }
  });

  it('an active job is cancelled between its items; close() and join() leave no job behind', async () => {
    // Ordered by events, not timers: the job's first item holds until the test has seen the
    // cancel published; the 39 items after it take 50 ms each, so the host, which got the
    // cancel before the release, stops the job long before its end.
    const worker = await startWorker(redis.url, 'cancel', FIXTURES);
    const events = new QueueEvents('cancel', { connection: { url: redis.url }, lastEventId: '0-0' });
    const queue = new Queue('cancel', { connection: { url: redis.url } });
    const control = new Redis(redis.url);
    const listener = new Redis(redis.url);
    const small = new Pool({ backend: 'redis', connection: redis.url, queue: 'cancel', root: FIXTURES, workers: 1 });
    try {
      await events.waitUntilReady();
      await listener.subscribe(cancelChannel('cancel'));
      const cancelPublished = once(listener, 'message');
      const finished = once(events, 'completed') as Promise<[{ returnvalue: unknown }]>;
      const items = [
        [redis.url, 'first', true],
        ...Array.from({ length: 39 }, () => [redis.url, 'sleep50', false]),
      ] as [string, string, boolean][];
      const controller = new AbortController();
      const call = small.starmap(redisTasks.gateThenSleep, items, { chunkSize: 40, signal: controller.signal });
      assert.deepEqual(await control.blpop('started:first', 0), ['started:first', 'first']);
      controller.abort();
      await assert.rejects(call, AbortError);
      await cancelPublished;
      await control.rpush('release:first', 'go');
      const [{ returnvalue }] = await finished;
      const outcome = decodeResult(returnvalue);
      assert.equal(outcome.error?.name, 'AbortError');
      assert.ok(
        outcome.values.length < items.length,
        `stopped after ${outcome.values.length} of ${items.length} items`,
      );
      assert.deepEqual(await small.map(tasks.square, [1, 2, 3]), [1, 4, 9]);
      small.close();
      await small.join();
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
      assert.deepEqual(Object.values(counts), [0, 0, 0, 0, 0], JSON.stringify(counts));
    } finally {
      control.disconnect();
      listener.disconnect();
      await small.terminate();
      await Promise.all([events.close(), queue.close()]);
      await worker.stop();
    }
  });

  it('a worker killed mid-job (kill -9) loses no job: another worker finishes it', async () => {
    const dir = mkdtempSync(join(scratch, 'marks-'));
    const started = new Promise<string>((resolve) => {
      const watcher = watch(dir, (_event, name) => {
        if (name) {
          watcher.close();
          resolve(name);
        }
      });
    });
    const items = [0, 1, 2, 3, 4, 5];
    const call = pool.starmap(
      redisTasks.markAndSleep,
      items.map((i) => [dir, i, 400] as [string, number, number]),
      {
        chunkSize: 1,
      },
    );
    const [item, pid] = (await started).split('-').map(Number) as [number, number];
    const victim = workers.find((w) => w.pid === pid);
    assert.ok(victim, `the first job started on worker ${pid}`);
    victim.child.kill('SIGKILL');
    assert.deepEqual(await call, items);
    const ranKilledItem = readdirSync(dir).filter((name) => name.startsWith(`${item}-`));
    assert.ok(ranKilledItem.length >= 2, `item ${item} ran again after its worker died: ${ranKilledItem}`);
    await victim.stop();
    workers = [...workers.filter((w) => w !== victim), await startWorker(redis.url, 'main', FIXTURES, FAST_STALLS)];
  });

  it('Redis going away rejects calls with a clear connection error; the pool works again when it is back', async () => {
    const running = pool.apply(tasks.sleep, [5000]).catch((e: unknown) => e);
    await waitFor(async () => pool.stats().busy === 1);
    await redis.kill();
    const error = await running;
    assert.ok(error instanceof WorkerExitError, String(error));
    assert.ok(error.cause instanceof RedisConnectionError);
    assert.match(error.message, /Redis at redis:\/\/127\.0\.0\.1:\d+ \(queue main\)/);
    const whileDown = await pool.apply(tasks.square, [2]).catch((e: unknown) => e);
    assert.ok(
      whileDown instanceof WorkerExitError && whileDown.cause instanceof RedisConnectionError,
      String(whileDown),
    );
    await redis.start();
    assert.equal(await pool.apply(tasks.square, [4]), 16);
    assert.deepEqual(await pool.map(tasks.square, [1, 2, 3]), [1, 4, 9]);
  });

  it('never prints the credentials of the connection URL', async () => {
    const url = `redis://alice:s3cret-pw@127.0.0.1:${await freePort()}`;
    const locked = new Pool({ backend: 'redis', connection: url, queue: 'main', root: FIXTURES });
    const error = (await locked.apply(tasks.square, [2]).catch((e: unknown) => e)) as Error;
    await locked.terminate();
    assert.ok(error instanceof WorkerExitError);
    const printed = `${error.message} ${(error.cause as Error).message} ${(error.cause as Error).stack}`;
    assert.ok(!printed.includes('s3cret') && !printed.includes('alice'), printed);
    assert.match(printed, /redis:\/\/\*\*\*:\*\*\*@127\.0\.0\.1/);
    assert.throws(
      () => new Pool({ backend: 'redis', connection: 'http://u:s3cret@x', queue: 'q' }),
      (e: Error) => {
        return /redis:\/\/ or rediss:\/\//.test(e.message) && !e.message.includes('s3cret');
      },
    );
  });
});

/**
 * Polls a condition that has no event to await (the state of another process). The bound is
 * generous, for a busy machine: it only turns a hang into a failure that says what it waited for.
 */
async function waitFor(check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 6000; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`condition not met within 60 s: ${check.toString()}`);
}
