/**
 * A backup worker fills one pack across the batches of a run (src/backup/run-packs.ts): a run
 * of several batches makes one data pack per worker (plus the trees'), not one per batch, and
 * the main thread completes the packs still being filled after the last batch, whatever order
 * the batches' reports arrive in. A run whose workers complete packs on the way (small packs)
 * and one whose packs the main thread completes both verify and restore byte for byte.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'tandem';
import { restoreTree } from '../src/backup/restore.js';
import { OpenPackLedger } from '../src/backup/run-packs.js';
import { verifyRepository } from '../src/backup/verify.js';
import { FILES_PER_BATCH } from '../src/fs/batch-reads.js';
import { openSnapshotReading } from '../src/inspect/snapshot-reading.js';
import { type BlobCodec, createBlobCodec } from '../src/repo/compression.js';
import { packIds } from '../src/repo/index-load.js';
import type { PackEntry, Sealer } from '../src/repo/pack-header.js';
import { readPackEntries } from '../src/repo/pack-reader.js';
import { PackWriter } from '../src/repo/pack-writer.js';
import { Repository } from '../src/repo/repository.js';
import { loadZstd } from '../src/repo/zstd.js';
import { engineBackup } from './backup-helpers.js';
import { tempDir } from './helpers.js';

/** Three batches' worth of small files in three directories. */
const FILES = 3 * FILES_PER_BATCH;

describe('backup: packs filled across batches', () => {
  const work = tempDir('vigil-run-packs-');
  const source = join(work.path, 'source');
  let codec: BlobCodec;

  before(async () => {
    codec = createBlobCodec(await loadZstd());
    for (let i = 0; i < FILES; i++) {
      const dir = join(source, `d${i % 3}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `f${String(i).padStart(4, '0')}`), `file ${i}: ${'x'.repeat(i % 97)}\n`);
    }
  });
  after(() => work.cleanup());

  const backupInto = async (repo: Repository, workers: number, packTargetBytes?: number) => {
    const pool = new Pool({ workers, name: 'run-packs-test' });
    try {
      return await engineBackup({ repo, codec, pool, source, ...(packTargetBytes ? { packTargetBytes } : {}) });
    } finally {
      await pool.terminate();
    }
  };
  const restoreAndCompare = async (repo: Repository, tree: Buffer, name: string) => {
    const target = join(work.path, name);
    const { reader } = await openSnapshotReading(repo, codec, assert.fail);
    try {
      await restoreTree({
        reader,
        root: tree,
        target,
        only: [],
        overwrite: 'never',
        numericOwner: false,
        report: assert.fail,
      });
    } finally {
      reader.close();
    }
    execFileSync('diff', ['-r', source, join(target, source)]);
  };

  it('makes one data pack for a run of several batches on one worker, and one more for a second run', async () => {
    const repo = await Repository.init(join(work.path, 'one-worker'));
    const first = await backupInto(repo, 1);
    assert.equal(first.snapshot.stats.files, FILES);
    // One pack of data (completed by the main thread after the last batch) and one of trees.
    assert.equal((await packIds(repo.storage)).length, 2);
    // A change in every batch: one pack per batch before packs outlived batches.
    for (let i = 0; i < FILES; i += FILES_PER_BATCH / 2)
      appendFileSync(join(source, `d${i % 3}`, `f${String(i).padStart(4, '0')}`), 'more\n');
    const second = await backupInto(repo, 1);
    assert.equal(second.snapshot.stats.newBlobs, FILES / (FILES_PER_BATCH / 2));
    assert.equal((await packIds(repo.storage)).length, 4);
    const report = await verifyRepository({ repo, codec, readData: true });
    assert.deepEqual(report.problems, []);
    assert.equal(report.unlistedPacks, 0);
    await restoreAndCompare(repo, second.snapshot.tree, 'out-one');
  });

  it('verifies and restores when two workers complete small packs on the way', async () => {
    const repo = await Repository.init(join(work.path, 'small-packs'));
    const outcome = await backupInto(repo, 2, 8 * 1024);
    assert.ok((await packIds(repo.storage)).length > 4);
    const report = await verifyRepository({ repo, codec, readData: true });
    assert.deepEqual(report.problems, []);
    assert.equal(report.unlistedPacks, 0);
    await restoreAndCompare(repo, outcome.snapshot.tree, 'out-small');
  });
});

describe('OpenPackLedger', () => {
  const work = tempDir('vigil-ledger-');
  after(() => work.cleanup());
  /** Sealing as the identity: these tests are about the ledger, not encryption. */
  const sealer: Sealer = { seal: (plain) => Buffer.from(plain), open: (sealed) => Buffer.from(sealed) };

  /** A writer's suspended pack of `count` blobs. */
  const filled = (count: number) => {
    const writer = new PackWriter(work.path, sealer);
    for (let i = 0; i < count; i++) {
      const id = Buffer.alloc(32, i + 1);
      writer.add({ kind: 'data', id, payload: Buffer.from(`blob ${i}`), rawLength: 6, compressed: false });
    }
    const pack = writer.suspend();
    assert.ok(pack);
    return pack;
  };
  const report = (pack: { path: string; size: number; entries: readonly PackEntry[] }, from: number, to: number) => ({
    completed: [],
    open: { path: pack.path, size: pack.size, first: from, entries: pack.entries.slice(from, to) },
  });

  it('completes a pack from reports that arrive out of order, with every entry in place', () => {
    const pack = filled(5);
    const ledger = new OpenPackLedger();
    ledger.note(report(pack, 3, 5));
    ledger.note(report(pack, 0, 3));
    const [staged] = ledger.complete(sealer);
    assert.ok(staged);
    assert.deepEqual(
      staged.entries.map((e) => e.id[0]),
      [1, 2, 3, 4, 5],
    );
    assert.equal(staged.size > pack.size, true, 'the header and trailer were appended');
  });

  it('forgets a pack its worker completed, even from a report that comes after', () => {
    const done = filled(2);
    const ledger = new OpenPackLedger();
    ledger.note(report(done, 0, 1));
    ledger.note({ completed: [done.path] });
    ledger.note(report(done, 1, 2));
    assert.deepEqual(ledger.complete(sealer), []);
  });

  it('refuses a pack with a report missing', () => {
    const gap = filled(4);
    const ledger = new OpenPackLedger();
    ledger.note(report(gap, 2, 4));
    assert.throws(() => ledger.complete(sealer), /reported with entries missing/);
  });

  it('refuses a pack whose file is not the size its writer reported', () => {
    const pack = filled(2);
    appendFileSync(pack.path, 'more');
    const ledger = new OpenPackLedger();
    ledger.note(report(pack, 0, 2));
    assert.throws(() => ledger.complete(sealer), /holds \d+ bytes, not the \d+/);
  });

  it('reads back what it completed as a pack', async () => {
    const repo = await Repository.init(join(work.path, 'repo'));
    const writer = new PackWriter(repo.storage.stagingDir, repo.sealer);
    writer.add({
      kind: 'data',
      id: Buffer.alloc(32, 7),
      payload: Buffer.from('seven'),
      rawLength: 5,
      compressed: false,
    });
    const pack = writer.suspend();
    assert.ok(pack);
    const ledger = new OpenPackLedger();
    ledger.note(report(pack, 0, 1));
    const [staged] = ledger.complete(repo.sealer);
    assert.ok(staged);
    await repo.storage.putFile(staged.stagedPath, `data/${staged.id.slice(0, 2)}/${staged.id}`, {});
    const entries = await readPackEntries(repo.storage, staged.id, repo.sealer);
    assert.deepEqual(
      entries.map((e) => e.id),
      [Buffer.alloc(32, 7)],
    );
  });
});
