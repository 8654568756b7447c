import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  RedisServer,
  redisMissing,
  startWorker,
  type WorkerProcess,
} from '../../tandem/test/fixtures/redis-harness.ts';
import { tempDir, vigil } from './helpers.ts';

// The installed package the CLI runs from (its real path: the tests may run from a compiled
// copy whose dist/ is a link to it, and a worker refuses modules that resolve outside its root).
const VIGIL_ROOT = dirname(realpathSync(fileURLToPath(new URL('../dist', import.meta.url))));

describe('hashing on worker hosts through Redis (--redis, --queue)', { skip: redisMissing() ?? false }, () => {
  const tree = tempDir();
  let redis: RedisServer;
  const workers: WorkerProcess[] = [];
  const queue = 'vigil-test';

  before(async () => {
    redis = new RedisServer(await freePort());
    await redis.start();
    // Two hosts' worth of workers, serving vigil's own task modules from its package root.
    for (let i = 0; i < 2; i++) workers.push(await startWorker(redis.url, queue, VIGIL_ROOT));
    mkdirSync(join(tree.path, 'sub/deeper'), { recursive: true });
    for (let i = 0; i < 60; i++) writeFileSync(join(tree.path, `sub/f${i}.txt`), `file ${i}\n`.repeat(i + 1));
    writeFileSync(join(tree.path, 'sub/deeper/big.bin'), Buffer.alloc(9 * 2 ** 20, 7));
    writeFileSync(join(tree.path, 'empty'), '');
  });

  after(async () => {
    for (const worker of workers) await worker.stop();
    await redis.kill();
    tree.cleanup();
  });

  for (const algo of ['blake3', 'sha256']) {
    it(`vigil hash gives the same output as a local run (${algo})`, async () => {
      const local = await vigil(['hash', '--algo', algo, tree.path]);
      const remote = await vigil(['hash', '--algo', algo, '--redis', redis.url, '--queue', queue, tree.path]);
      assert.equal(remote.code, 0, remote.stderr);
      assert.equal(local.code, 0, local.stderr);
      assert.equal(remote.stdout.toString(), local.stdout.toString());
      assert.equal(remote.stdout.toString().trim().split('\n').length, 62);
    });
  }

  it('vigil baseline through Redis writes a baseline a local check agrees with', async () => {
    const made = await vigil(['baseline', '--redis', redis.url, '--queue', queue, tree.path]);
    assert.equal(made.code, 0, made.stderr);
    const checked = await vigil(['check', '--full', tree.path]);
    assert.equal(checked.code, 0, `${checked.stdout}${checked.stderr}`);
  });

  it('--redis without --queue is bad usage', async () => {
    const result = await vigil(['hash', '--redis', redis.url, tree.path]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--redis and --queue go together/);
  });
});
