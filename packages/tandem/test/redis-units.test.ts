/**
 * The Redis backend's pieces that need no Redis: how job arguments and results are encoded
 * (plain JSON when exact, v8 otherwise), how adds are batched, and a slot failing a job it
 * cannot send.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RedisBackend } from '../dist/backends/redis.js';
import { AddBatcher } from '../dist/redis/add-batcher.js';
import { decodeArgs, decodeResult, encodeArgs, encodeResult, isPlainJson } from '../dist/redis/job-data.js';

describe('job encoding', () => {
  it('plain values travel as JSON and come back equal', () => {
    const items = [[1, 'two', true, null], [{ a: [1.5, { b: 'c' }] }], [[]]];
    const encoded = encodeArgs(items);
    assert.deepEqual(encoded, { args: items });
    const overRedis = JSON.parse(JSON.stringify({ v: 1, module: 'm.ts', name: 't', ...encoded }));
    assert.deepEqual(decodeArgs(overRedis), items);
  });

  it('values JSON would change go through v8 and come back exact', () => {
    const sparse = [1, 2, 3];
    delete sparse[1]; // a hole
    const cases: unknown[] = [
      undefined,
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      10n,
      new Date(0),
      new Map([[1, 2]]),
      new Set([1]),
      new Uint8Array([1, 2]),
      { missing: undefined },
      sparse,
    ];
    for (const value of cases) {
      assert.equal(isPlainJson([[value]]), false, String(value));
      const overRedis = JSON.parse(JSON.stringify({ v: 1, module: 'm.ts', name: 't', ...encodeArgs([[value]]) }));
      assert.deepEqual(decodeArgs(overRedis), [[value]]);
    }
    // A class instance (its prototype might define toJSON) is cloned as v8 clones it: own fields.
    const instance = Object.assign(Object.create({ toJSON: () => 'x' }), { own: 2 });
    assert.equal(isPlainJson(instance), false);
    assert.deepEqual(decodeArgs(JSON.parse(JSON.stringify(encodeArgs([[instance]])))), [[{ own: 2 }]]);
  });

  it('a cycle, or a value past the check budget, falls back to v8 instead of looping', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.equal(isPlainJson(cyclic), false);
    const big = Array.from({ length: 10_000 }, (_, i) => i);
    assert.equal(isPlainJson(big), false);
    assert.deepEqual(decodeArgs(JSON.parse(JSON.stringify({ ...encodeArgs([[big]]) }))), [[big]]);
  });

  it('results: plain as JSON, others (errors with no stack, Dates) through v8', () => {
    const plain = { values: [1, 'a'], runMicros: 12 };
    assert.deepEqual(encodeResult(plain), plain);
    assert.deepEqual(decodeResult(JSON.parse(JSON.stringify(encodeResult(plain)))), plain);
    const rich = { values: [new Date(5)], error: { name: 'E', message: 'm', stack: undefined }, runMicros: 1 };
    const packed = encodeResult(rich);
    assert.equal(typeof packed, 'string');
    assert.deepEqual(decodeResult(JSON.parse(JSON.stringify(packed))), rich);
    assert.throws(() => decodeResult({ nope: 1 }), /not a tandem result/);
  });

  it('a job with neither encoding is refused clearly', () => {
    assert.throws(() => decodeArgs({ v: 1, module: 'm.ts', name: 't' }), /neither args nor items/);
  });
});

describe('redis slot', () => {
  it('a task that slipped past the check fails its job instead of leaving the call unsettled', async () => {
    // No Redis at this URL: the job must fail before anything is sent.
    const backend = new RedisBackend({
      connection: 'redis://127.0.0.1:1',
      queue: 'q',
      root: '/nonexistent-root',
      attempts: 1,
      backoff: undefined,
      connectTimeout: 100,
      reportStarts: false,
    });
    const messages: unknown[] = [];
    let exitCode: (code: number) => void = () => {};
    let delivered: () => void = () => {};
    const results = new Promise<void>((resolve) => {
      delivered = resolve;
    });
    const slot = backend.spawn({} as never, {
      onMessage(message) {
        messages.push(message);
        if (message.type === 'results') delivered();
      },
      onError() {},
      onExit(code) {
        exitCode(code);
      },
    });
    slot.send(
      {
        type: 'run',
        defines: [
          { key: 1, spec: { kind: 'module', moduleUrl: 'file:///elsewhere/tasks.js', name: 'square' } },
          { key: 2, spec: { kind: 'inline', source: '(x) => x', name: 'anon' } },
        ],
        jobs: [
          { id: 7, taskKey: 1, items: [[2]] },
          { id: 8, taskKey: 2, items: [[2]] },
        ],
      },
      [],
    );
    await results;
    await new Promise((resolve) => setImmediate(resolve));
    const failed = messages.filter((m) => (m as { type: string }).type === 'results') as {
      results: { id: number; error?: { name: string; message: string } }[];
    }[];
    const byId = new Map(failed.flatMap((m) => m.results).map((r) => [r.id, r.error]));
    assert.equal(byId.get(7)?.name, 'ModuleOutsideRootError');
    assert.match(byId.get(8)?.message ?? '', /cannot run inline functions/);
    const exited = new Promise<number>((resolve) => {
      exitCode = resolve;
    });
    slot.stop('SIGKILL');
    assert.equal(await exited, -9);
  });
});

describe('AddBatcher', () => {
  const job = (id: string) => ({ name: 'tandem', data: {}, opts: { jobId: id } });
  const tick = () => new Promise<void>((resolve) => process.nextTick(resolve));
  /** A batcher whose sends record the job ids of each batch in `sent`; `low()` says whether Redis runs low. */
  const recordingBatcher = (low: () => boolean) => {
    const sent: string[][] = [];
    const batcher = new AddBatcher(async (jobs) => void sent.push(jobs.map((j) => j.opts?.jobId as string)), low);
    return { sent, batcher };
  };

  it('sends at once (next tick) while Redis runs low, one batch per turn', async () => {
    const { sent, batcher } = recordingBatcher(() => true);
    const both = Promise.all([batcher.add(job('a')), batcher.add(job('b'))]);
    await tick();
    assert.deepEqual(sent, [['a', 'b']]);
    await both;
  });

  it('holds a batch while Redis has enough waiting, until nudged low or the delay passes', async () => {
    let low = false;
    const { sent, batcher } = recordingBatcher(() => low);
    const first = batcher.add(job('a'));
    await tick();
    assert.deepEqual(sent, [], 'held');
    batcher.nudge();
    await tick();
    assert.deepEqual(sent, [], 'still held: not low');
    low = true;
    batcher.nudge();
    await first;
    assert.deepEqual(sent, [['a']]);
    low = false;
    await batcher.add(job('b')); // goes out by the delay alone
    assert.deepEqual(sent, [['a'], ['b']]);
  });

  it('sends a full batch without waiting, and fails a held batch when abandoned', async () => {
    const sent: number[] = [];
    const batcher = new AddBatcher(
      async (jobs) => void sent.push(jobs.length),
      () => false,
    );
    await Promise.all(Array.from({ length: 256 }, (_, i) => batcher.add(job(String(i)))));
    assert.deepEqual(sent, [256]);
    const held = batcher.add(job('x'));
    batcher.abandon(new Error('session ended'));
    await assert.rejects(held, /session ended/);
    assert.deepEqual(sent, [256]);
  });

  it('a withdrawn job is not sent; a batch whose jobs were all withdrawn settles without a send', async () => {
    const { sent, batcher } = recordingBatcher(() => true);
    const both = Promise.all([batcher.add(job('a')), batcher.add(job('b'))]);
    assert.equal(batcher.withdraw('a'), true);
    assert.equal(batcher.withdraw('a'), false, 'only once');
    await both;
    assert.deepEqual(sent, [['b']]);
    assert.equal(batcher.withdraw('b'), false, 'sent already');
    const alone = batcher.add(job('c'));
    assert.equal(batcher.withdraw('c'), true);
    await alone;
    assert.deepEqual(sent, [['b']], 'nothing sent for c');
  });
});
