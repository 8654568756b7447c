/**
 * Format 2 end to end, through the engine (the commands move onto it next): a tree holding
 * every kind of entry is backed up into an encrypted repository by a real worker pool,
 * restored, and compared entry by entry with lstat and getfattr (not vigil's own reader);
 * a second backup reads only what changed, a one-byte change in a big file stores a chunk or
 * two, a sparse file costs its data alone and comes back sparse, and verify finds a flipped
 * byte and names the snapshot and file it harms. Needs root, as CI runs (chown, mknod).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'tandem';
import { restoreTree } from '../src/backup/restore.js';
import { runBackup } from '../src/backup/run-backup.js';
import { verifyRepository } from '../src/backup/verify.js';
import { openSnapshotReading } from '../src/inspect/snapshot-reading.js';
import { type BlobCodec, createBlobCodec } from '../src/repo/compression.js';
import { loadIndex } from '../src/repo/index-load.js';
import { Repository } from '../src/repo/repository.js';
import { listSnapshots } from '../src/repo/snapshot-store.js';
import { loadZstd } from '../src/repo/zstd.js';
import { tempDir } from './helpers.js';
import { getfattr, lstatTree, NOBODY, NOGROUP, tool } from './repo/meta-tree.js';

const MIB = 1024 * 1024;
const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };
const PASSWORD = 'correct horse';

function quietProgress(lines: string[] = []) {
  return { found() {}, walkDone() {}, fileDone() {}, log: (line: string) => lines.push(line), stop() {} };
}

describe('format 2: backup, restore and verify through the engine', () => {
  const work = tempDir('vigil-v2-');
  const source = join(work.path, 'source');
  const repoPath = join(work.path, 'repo');
  let pool: Pool;
  let repo: Repository;
  let codec: BlobCodec;
  const big = randomBytes(20 * MIB);

  const backup = async (lines: string[] = []) =>
    runBackup({
      repo,
      codec,
      sources: [source],
      excludes: [],
      tags: ['test'],
      compression: 'auto',
      pool,
      progress: quietProgress(lines),
      packTargetBytes: 4 * MIB,
    });
  const restore = async (snapshotTree: Buffer, target: string, only: Buffer[] = []) => {
    const reader = (await openSnapshotReading(repo, codec, assert.fail)).reader;
    const lines: string[] = [];
    try {
      const outcome = await restoreTree({
        reader,
        root: snapshotTree,
        target,
        only,
        overwrite: 'never',
        numericOwner: false,
        report: (line) => lines.push(line),
      });
      return { ...outcome, lines };
    } finally {
      reader.close();
    }
  };

  before(async () => {
    mkdirSync(join(source, 'sub'), { recursive: true });
    writeFileSync(join(source, 'plain.txt'), 'hello\n'.repeat(1000));
    chmodSync(join(source, 'plain.txt'), 0o640);
    writeFileSync(join(source, 'setuid'), '#!/bin/sh\n');
    chownSync(join(source, 'setuid'), NOBODY, NOGROUP);
    chmodSync(join(source, 'setuid'), 0o4755);
    writeFileSync(join(source, 'n'.repeat(255)), 'long\n');
    writeFileSync(Buffer.from(`${source}/n\xff.t`, 'latin1'), 'bytes\n');
    writeFileSync(join(source, 'sub', 'first'), 'linked\n');
    linkSync(join(source, 'sub', 'first'), join(source, 'second'));
    symlinkSync('sub/first', join(source, 'link'));
    tool('mkfifo', '-m', '0620', join(source, 'fifo'));
    tool('mknod', '-m', '0666', join(source, 'null'), 'c', '1', '3');
    writeFileSync(join(source, 'big'), big);
    writeFileSync(join(source, 'copy-of-big'), big);
    const sparse = openSync(join(source, 'sparse'), 'w');
    writeSync(sparse, Buffer.alloc(4096, 7), 0, 4096, 40 * MIB);
    closeSync(sparse);
    tool('truncate', '-s', String(64 * MIB), join(source, 'sparse'));
    tool('setfattr', '-n', 'user.note', '-v', 'a note', join(source, 'plain.txt'));
    tool('setfacl', '-m', 'u:nobody:r', join(source, 'plain.txt'));
    tool('touch', '-h', '-d', '2021-03-04 05:06:07.123456789', join(source, 'plain.txt'));
    tool('touch', '-h', '-d', '2010-01-01 00:00:00.987654321', join(source, 'link'));
    chownSync(join(source, 'sub'), NOBODY, 0);
    chmodSync(join(source, 'sub'), 0o2750);
    tool('touch', '-d', '2020-02-02 02:02:02.222222222', join(source, 'sub'));

    pool = new Pool({ workers: 2, name: 'v2-test', prefetch: 1 });
    codec = createBlobCodec(await loadZstd());
    repo = await Repository.init(repoPath, { password: PASSWORD, scrypt: FAST_SCRYPT });
  });
  after(async () => {
    await pool.terminate();
    work.cleanup();
  });

  it('restores every entry with its type, mode, owner, size, mtime to the nanosecond, xattrs and ACLs', async () => {
    const first = await backup();
    assert.equal(first.snapshot.incomplete, false);
    assert.equal(first.snapshot.stats.files, 9);
    const target = join(work.path, 'target-1');
    const outcome = await restore(first.snapshot.tree, target);
    assert.deepEqual(outcome.lines, []);
    assert.equal(outcome.failed, 0);
    const before = lstatTree(source);
    const restored = lstatTree(join(target, source));
    assert.deepEqual([...restored.keys()].sort(), [...before.keys()].sort());
    for (const [path, { view }] of before) assert.deepEqual(restored.get(path)?.view, view, `${path} differs`);
    assert.equal(restored.get('setuid')?.view.uid, BigInt(NOBODY));
    assert.equal(restored.get('plain.txt')?.view.mtimeNs, 1614834367123456789n);
    assert.equal(restored.get('second')?.stat.ino, restored.get('sub/first')?.stat.ino, 'a hard link stays one inode');
    assert.equal(getfattr(join(target, source, 'plain.txt')), getfattr(join(source, 'plain.txt')));
    assert.ok(readFileSync(join(target, source, 'big')).equals(big));
    // The directories above the source come back with their own metadata.
    assert.equal(statSync(join(target, work.path)).mode, statSync(work.path).mode);
  });

  it('stores a copy of a file once, and a sparse file as its data (restored sparse)', async () => {
    const { snapshot } = (await listSnapshots(repo)).snapshots.at(-1)!;
    // 2 x 20 MiB of random data and 4 KiB in the sparse file: the copy and the holes cost nothing.
    assert.ok(snapshot.stats.newBytes < 21 * MIB, `stored ${snapshot.stats.newBytes} bytes of content`);
    const target = join(work.path, 'target-1');
    assert.ok(statSync(join(target, source, 'sparse')).blocks * 512 < MIB, 'the restored sparse file has its holes');
    assert.equal(statSync(join(target, source, 'sparse')).size, 64 * MIB);
    assert.ok(
      readFileSync(join(target, source, 'sparse'))
        .subarray(40 * MIB, 40 * MIB + 4096)
        .equals(Buffer.alloc(4096, 7)),
    );
  });

  it('reads only what changed in the next backup, and stores a chunk or two of a big file changed in one byte', async () => {
    const changed = Buffer.from(big);
    changed[10 * MIB] = (changed[10 * MIB] as number) ^ 0xff;
    writeFileSync(join(source, 'big'), changed);
    appendFileSync(join(source, 'plain.txt'), 'one more line\n');
    const second = await backup();
    assert.ok(second.snapshot.parent, 'the first snapshot was its parent');
    // At most 2 new chunks of the big file (about 1 MiB each, 8 MiB at most), and plain.txt.
    assert.ok(second.snapshot.stats.newBytes <= 2 * 8 * MIB + 10_000, `stored ${second.snapshot.stats.newBytes}`);
    assert.ok(second.snapshot.stats.newBlobs <= 3, `${second.snapshot.stats.newBlobs} new data blobs`);
    const target = join(work.path, 'target-2');
    const outcome = await restore(second.snapshot.tree, target);
    assert.equal(outcome.failed, 0);
    assert.ok(readFileSync(join(target, source, 'big')).equals(changed));
    assert.match(readFileSync(join(target, source, 'plain.txt'), 'utf8'), /one more line\n$/);
  });

  it('stores content met again in a later batch once per worker, not once per batch', async () => {
    // 1,200 copies of one file make five batches; each of the 2 workers stores it at most once.
    mkdirSync(join(source, 'copies'));
    for (let i = 0; i < 1200; i++) writeFileSync(join(source, 'copies', `c${i}`), 'the same small file\n');
    const run = await backup();
    assert.ok(run.snapshot.stats.newBlobs <= 2, `${run.snapshot.stats.newBlobs} blobs stored for one content`);
    rmSync(join(source, 'copies'), { recursive: true });
  });

  it('restores only the paths asked for, and says which it does not hold', async () => {
    const { snapshot } = (await listSnapshots(repo)).snapshots.at(-1)!;
    const target = join(work.path, 'target-3');
    // A path the snapshot does not hold is named, and nothing is restored (a typo must not restore half).
    const missing = await restore(snapshot.tree, target, [Buffer.from(join(source, 'sub')), Buffer.from('/no/such')]);
    assert.deepEqual(missing.notFound, ['/no/such']);
    assert.equal(existsSync(target), false);
    const outcome = await restore(snapshot.tree, target, [Buffer.from(join(source, 'sub'))]);
    assert.deepEqual(outcome.notFound, []);
    assert.deepEqual(readdirSync(join(target, source)), ['sub']);
    assert.equal(readFileSync(join(target, source, 'sub', 'first'), 'utf8'), 'linked\n');
  });

  it('verifies clean, then names the snapshots and the file a flipped byte in a pack harms', async () => {
    const clean = await verifyRepository({ repo, codec, readData: true });
    assert.deepEqual(clean.problems, []);
    assert.equal(clean.snapshotsChecked, 3);
    // Flip a byte inside the blob that holds the sparse file's 4 KiB of data.
    const reader = (await openSnapshotReading(repo, codec, assert.fail)).reader;
    const id = repo.ids.id(Buffer.alloc(4096, 7));
    const place = (await loadIndex(repo.storage, repo.sealer)).index.find(id);
    reader.close();
    assert.ok(place, "the sparse file's data is one blob");
    const packFile = join(repo.root, 'data', place.packId.slice(0, 2), place.packId);
    const bytes = readFileSync(packFile);
    bytes[place.offset + 20] = (bytes[place.offset + 20] as number) ^ 1;
    chmodSync(packFile, 0o644);
    writeFileSync(packFile, bytes);
    const damaged = await verifyRepository({ repo, codec, readData: true });
    assert.equal(damaged.damagedSnapshots.length, 3, damaged.problems.join('\n'));
    assert.ok(
      damaged.problems.some((p) => p.includes(`${source}/sparse`)),
      damaged.problems.join('\n'),
    );
    assert.ok(
      damaged.problems.some((p) => p.includes('does not hash to its name')),
      damaged.problems.join('\n'),
    );
    const target = join(work.path, 'target-4');
    const outcome = await restore((await listSnapshots(repo)).snapshots[0]!.snapshot.tree, target);
    assert.equal(outcome.failed, 1);
    assert.match(outcome.lines.join('\n'), /sparse: .*blob/);
    assert.deepEqual(
      readdirSync(join(target, source)).filter((n) => n.startsWith('.vigil-r-')),
      [],
      'no temporary name left',
    );
  });

  it("opens with the password and refuses a wrong one (exit code 5 is the command's)", async () => {
    const opened = await Repository.open(repoPath, { password: async () => PASSWORD });
    assert.equal(opened.config.encryption, 'aes-256-gcm');
    await assert.rejects(Repository.open(repoPath, { password: async () => 'wrong' }), {
      code: 'ERR_VIGIL_WRONG_PASSWORD',
    });
  });
});

describe('format 2: repositories', () => {
  const work = tempDir('vigil-v2-repo-');
  after(() => work.cleanup());

  it('makes a repository without encryption that opens without asking for a password', async () => {
    const path = join(work.path, 'plain');
    await Repository.init(path);
    const opened = await Repository.open(path, {
      password: async () => assert.fail('a repository without encryption asked for a password'),
    });
    assert.equal(opened.encrypted, false);
  });

  it('refuses a format-1 repository, saying how to move', async () => {
    const path = join(work.path, 'old');
    mkdirSync(path);
    writeFileSync(join(path, 'vigil-repository.json'), '{"format":1}\n');
    await assert.rejects(
      Repository.open(path, { password: async () => 'x' }),
      /format-1 repository.*restore its snapshots/s,
    );
  });

  it('refuses a newer format, and a damaged config, naming the file', async () => {
    const path = join(work.path, 'new');
    mkdirSync(path);
    writeFileSync(join(path, 'vigil-repository.json'), '{"format":3}\n');
    await assert.rejects(Repository.open(path, { password: async () => 'x' }), /format 3.*upgrade vigil/);
    writeFileSync(join(path, 'vigil-repository.json'), '{"format":2,"id":"nope"}\n');
    await assert.rejects(
      Repository.open(path, { password: async () => 'x' }),
      /vigil-repository.json is damaged: its id/,
    );
  });

  it('refuses to make a repository in a folder that holds something', async () => {
    const path = join(work.path, 'busy');
    mkdirSync(path);
    writeFileSync(join(path, 'x'), '');
    await assert.rejects(Repository.init(path), /not an empty directory/);
  });
});
