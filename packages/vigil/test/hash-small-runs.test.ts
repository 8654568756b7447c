/**
 * A run whose whole input fits in one batch is hashed (or inspected) in the main thread, with no worker
 * started (pool/hash-pools.ts); a bigger run, and a big file even in a small run, still go to
 * the workers (started before the walk when an operand looks big: pool/early-start.ts). Seen through the observed reader's thread log (test/support/observed-reader.mjs).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FILES_PER_BATCH } from '../src/fs/batch-reads.js';
import { tempDir, vigil } from './helpers.js';

describe('vigil hash, baseline and check: small runs in the main thread, the rest on workers', () => {
  let dir: { path: string; cleanup: () => void };
  let logCount = 0;
  before(() => {
    dir = tempDir();
  });
  after(() => dir.cleanup());

  /** Runs vigil through the observed CLI; returns its result and, per call, the thread and paths. */
  const observed = async (args: string[]) => {
    const log = join(dir.path, `threads-${logCount++}.log`);
    writeFileSync(log, '');
    const result = await vigil(args, { cwd: dir.path, observed: true, env: { VIGIL_TEST_THREAD_LOG: log } });
    const calls = readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [thread, paths] = line.split('\t');
        return { thread, paths: (paths ?? '').split(',').filter(Boolean) };
      });
    return { result, calls };
  };

  it('hashes two small files in the main thread, as sha256sum would print them', async () => {
    writeFileSync(join(dir.path, 'one'), 'one\n');
    writeFileSync(join(dir.path, 'two'), 'two\n');
    const { result, calls } = await observed(['hash', '-a', 'sha256', 'one', 'two']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.toString(), execFileSync('sha256sum', ['one', 'two'], { cwd: dir.path }).toString());
    assert.deepEqual(calls, [{ thread: 'main', paths: ['one', 'two'] }]);
  });

  it('checks a small manifest in the main thread', async () => {
    const sums = execFileSync('sha256sum', ['one', 'two'], { cwd: dir.path });
    writeFileSync(join(dir.path, 'SUMS'), sums);
    const { result, calls } = await observed(['hash', '-a', 'sha256', '-c', 'SUMS']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.toString(), 'one: OK\ntwo: OK\n');
    assert.deepEqual(new Set(calls.map((c) => c.thread)), new Set(['main']));
  });

  it('sends a tree of more than one batch to the workers', async () => {
    const tree = join(dir.path, 'many');
    mkdirSync(tree);
    for (let i = 0; i <= FILES_PER_BATCH; i++) writeFileSync(join(tree, `f${i}`), `${i}\n`);
    const { result, calls } = await observed(['hash', 'many']);
    assert.equal(result.code, 0, result.stderr);
    const sorted = (text: string) => text.split('\n').filter(Boolean).sort();
    const theirs = execFileSync('sh', ['-c', 'b3sum many/*'], { cwd: dir.path }).toString();
    assert.deepEqual(sorted(result.stdout.toString()), sorted(theirs));
    assert.deepEqual(new Set(calls.map((c) => c.thread)), new Set(['worker']));
    assert.equal(
      calls.reduce((n, c) => n + c.paths.length, 0),
      FILES_PER_BATCH + 1,
    );
  });

  it('starts the workers before the walk for a tree with subdirectories, and hashes even its few files there', async () => {
    const tree = join(dir.path, 'nested');
    mkdirSync(join(tree, 'sub'), { recursive: true });
    writeFileSync(join(tree, 'top'), 'top\n');
    writeFileSync(join(tree, 'sub', 'low'), 'low\n');
    const { result, calls } = await observed(['hash', 'nested']);
    assert.equal(result.code, 0, result.stderr);
    const theirs = execFileSync('b3sum', ['nested/sub/low', 'nested/top'], { cwd: dir.path }).toString();
    assert.equal(result.stdout.toString(), theirs);
    assert.deepEqual(new Set(calls.map((c) => c.thread)), new Set(['worker']));
    assert.deepEqual(calls.flatMap((c) => c.paths).sort(), ['nested/sub/low', 'nested/top']);
  });

  it('starts the workers before the walk when an operand is a big file, and hashes it whole there', async () => {
    const fd = openSync(join(dir.path, 'big'), 'w');
    const block = Buffer.alloc(1 << 20, 7);
    for (let i = 0; i < 9; i++) writeSync(fd, block);
    closeSync(fd);
    const { result, calls } = await observed(['hash', 'one', 'big']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.toString(), execFileSync('b3sum', ['one', 'big'], { cwd: dir.path }).toString());
    // Whether both go in one batch first (a worker hands the big file back to be read alone)
    // depends on which worker is ready first; the main thread reads nothing either way.
    assert.deepEqual(new Set(calls.map((c) => c.thread)), new Set(['worker']), JSON.stringify(calls));
    assert.ok(
      calls.some((c) => c.paths.join() === 'big'),
      JSON.stringify(calls),
    );
    assert.deepEqual(new Set(calls.flatMap((c) => c.paths)), new Set(['one', 'big']));
  });

  it('hands a big file of a small manifest from the main thread to a worker, which hashes it whole', async () => {
    writeFileSync(join(dir.path, 'BIGSUMS'), execFileSync('b3sum', ['one', 'big'], { cwd: dir.path }));
    const { result, calls } = await observed(['hash', '-c', 'BIGSUMS']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.toString(), 'one: OK\nbig: OK\n');
    const onWorkers = calls.filter((c) => c.thread === 'worker');
    assert.ok(
      calls.some((c) => c.thread === 'main' && c.paths.includes('one')),
      JSON.stringify(calls),
    );
    assert.deepEqual(onWorkers, [{ thread: 'worker', paths: ['big'] }]);
  });

  it('makes and checks the baseline of a small tree in the main thread, a big file on a worker', async () => {
    const tree = join(dir.path, 'watched');
    mkdirSync(tree);
    writeFileSync(join(tree, 'small'), 'small\n');
    const fd = openSync(join(tree, 'big'), 'w');
    for (let i = 0; i < 9; i++) writeSync(fd, Buffer.alloc(1 << 20, i));
    closeSync(fd);
    const made = await observed(['baseline', 'watched']);
    assert.equal(made.result.code, 0, made.result.stderr);
    const reads = (thread: string) =>
      made.calls.filter((c) => c.thread === thread).flatMap((c) => c.paths.map((p) => p.replace(/.*\//, '')));
    assert.ok(reads('main').includes('small'), JSON.stringify(made.calls));
    assert.ok(!reads('main').includes('big') || reads('worker').includes('big'), JSON.stringify(made.calls));
    assert.deepEqual(reads('worker'), ['big']);
    writeFileSync(join(tree, 'small'), 'changed\n');
    const checked = await observed(['check', '--full', 'watched']);
    assert.equal(checked.result.code, 1, checked.result.stderr);
    assert.match(checked.result.stdout.toString(), /small/);
    assert.doesNotMatch(checked.result.stdout.toString(), /big/);
    assert.deepEqual(new Set(checked.calls.map((c) => c.thread)), new Set(['main', 'worker']));
  });
});
