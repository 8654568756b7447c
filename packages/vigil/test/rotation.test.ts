/**
 * The rotation's execution (backup/rotation.ts): the snapshots a plan drops go in one
 * removeAll, durable before prune changes anything (a crash between the two must leave only
 * unused data), and what stays still verifies and restores.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'tandem';
import { executePlan } from '../src/backup/rotation.js';
import { verifyRepository } from '../src/backup/verify.js';
import { type BlobCodec, createBlobCodec } from '../src/repo/compression.js';
import { Repository } from '../src/repo/repository.js';
import { listSnapshots } from '../src/repo/snapshot-store.js';
import { loadZstd } from '../src/repo/zstd.js';
import type { Storage } from '../src/storage/storage.js';
import { engineBackup } from './backup-helpers.js';
import { tempDir } from './helpers.js';

const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

/**
 * Logs every call that changes the repository, in order, as "method name[,name...]". Local
 * storage's removeAll calls its own remove for each name: those are part of the removeAll
 * (nothing else changes the repository while one is pending), so they are not logged again.
 */
function recordChanges(storage: Storage): string[] {
  const log: string[] = [];
  let removeAllsPending = 0;
  const target = storage as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const method of ['write', 'putFile', 'remove', 'removeAll'] as const) {
    const original = (target[method] as (...args: unknown[]) => Promise<unknown>).bind(storage);
    target[method] = async (...args: unknown[]) => {
      if (method === 'remove' && removeAllsPending > 0) return original(...args);
      const names = method === 'removeAll' ? (args[0] as string[]) : [args[method === 'putFile' ? 1 : 0] as string];
      log.push(`${method} ${[...names].sort().join(',')}`);
      if (method !== 'removeAll') return original(...args);
      removeAllsPending++;
      try {
        return await original(...args);
      } finally {
        removeAllsPending--;
      }
    };
  }
  return log;
}

describe('rotation: removing the planned snapshots, then pruning', () => {
  const work = tempDir('vigil-rotation-');
  const source = join(work.path, 'source');
  let pool: Pool;
  let codec: BlobCodec;

  before(async () => {
    mkdirSync(source);
    pool = new Pool({ workers: 2, name: 'rotation-test', prefetch: 1 });
    codec = createBlobCodec(await loadZstd());
  });
  after(async () => {
    await pool.terminate();
    work.cleanup();
  });

  /** A repository of four snapshots, each with a file of its own that later ones no longer have. */
  async function fourSnapshots(name: string): Promise<{ repo: Repository; ids: string[] }> {
    const repo = await Repository.init(join(work.path, name), { password: 'pw', scrypt: FAST_SCRYPT });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      writeFileSync(join(source, 'only-now'), `${name} round ${i}\n`.repeat(5000));
      appendFileSync(join(source, 'growing'), `line ${i}\n`);
      ids.push((await engineBackup({ repo, codec, pool, source })).id);
    }
    return { repo, ids };
  }

  it('removes every dropped snapshot in one removeAll before prune writes or removes anything', async () => {
    const { repo, ids } = await fourSnapshots('all-at-once');
    const dropped = ids.slice(0, 3);
    const log = recordChanges(repo.storage);
    const pruned = await executePlan(
      repo,
      codec,
      { remove: dropped.map((id) => ({ id, time: '', reasons: [] })) },
      false,
    );

    assert.equal(
      log[0],
      `removeAll ${dropped
        .map((id) => `snapshots/${id}`)
        .sort()
        .join(',')}`,
    );
    assert.deepEqual(
      log.slice(1).filter((call) => call.includes('snapshots/')),
      [],
      'no snapshot is touched after the first call',
    );
    assert.ok(pruned && pruned.removedBlobs >= 3, `prune dropped the old rounds' files: ${JSON.stringify(pruned)}`);
    assert.deepEqual(
      (await listSnapshots(repo)).snapshots.map((s) => s.id),
      [ids[3]],
    );
    const report = await verifyRepository({ repo, codec, readData: true });
    assert.deepEqual(report.problems, []);
    assert.equal(report.snapshotsChecked, 1);
    await repo.close();
  });

  it('takes a snapshot already gone (an interrupted earlier run removed it) as removed, and prunes', async () => {
    const { repo, ids } = await fourSnapshots('one-gone');
    await repo.storage.remove(`snapshots/${ids[0]}`);
    const pruned = await executePlan(
      repo,
      codec,
      { remove: ids.slice(0, 2).map((id) => ({ id, time: '', reasons: [] })) },
      false,
    );
    assert.ok(pruned, 'prune ran');
    assert.deepEqual(
      (await listSnapshots(repo)).snapshots.map((s) => s.id),
      ids.slice(2),
    );
    assert.deepEqual((await verifyRepository({ repo, codec, readData: true })).problems, []);
    await repo.close();
  });

  it('changes nothing when the plan removes nothing and no prune is due', async () => {
    const { repo, ids } = await fourSnapshots('nothing');
    const log = recordChanges(repo.storage);
    assert.equal(await executePlan(repo, codec, { remove: [] }, false), undefined);
    assert.deepEqual(log, []);
    assert.equal((await listSnapshots(repo)).snapshots.length, ids.length);
    await repo.close();
  });
});
