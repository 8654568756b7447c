/**
 * The parent cache (parent-cache.ts): what a run keeps is exactly what its snapshot's trees
 * give the next backup; the next backup takes it instead of reading those trees and makes the
 * same snapshot; a changed file is still read; a damaged, foreign or outdated cache file is a
 * miss, never trusted; `--no-cache` neither reads nor writes one.
 */
import assert from 'node:assert/strict';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'tandem';
import { holdsTableOf, ParentCache } from '../src/backup/parent-cache.js';
import { readParentFiles } from '../src/backup/parent-snapshot.js';
import type { BackupOutcome } from '../src/backup/run-backup.js';
import { BlobReader } from '../src/repo/blob-reader.js';
import { type BlobCodec, createBlobCodec } from '../src/repo/compression.js';
import { loadIndex } from '../src/repo/index-load.js';
import { Repository } from '../src/repo/repository.js';
import { decodeTree } from '../src/repo/tree.js';
import { loadZstd } from '../src/repo/zstd.js';
import { engineBackup } from './backup-helpers.js';
import { tempDir, vigil } from './helpers.js';

const FAST_SCRYPT = { N: 2 ** 10, r: 8, p: 1 };

/** A parent table's rows by path (latin1), each record as hex: order aside, two tables compare equal. */
function rowsOf(table: Uint8Array): Map<string, string> {
  const bytes = Buffer.from(table);
  const rows = new Map<string, string>();
  for (let at = 0; at < bytes.length; ) {
    const pathLength = bytes.readUInt32LE(at);
    const path = bytes.toString('latin1', at + 4, at + 4 + pathLength);
    const recordLength = bytes.readUInt32LE(at + 4 + pathLength);
    const start = at + 8 + pathLength;
    assert.equal(rows.has(path), false, `${path} twice`);
    rows.set(path, bytes.toString('hex', start, start + recordLength));
    at = start + recordLength;
  }
  return rows;
}

describe('the parent cache', () => {
  const work = tempDir('vigil-parent-cache-');
  const source = join(work.path, 'source');
  const cacheRoot = join(work.path, 'cache', 'vigil');
  let pool: Pool;
  let repo: Repository;
  let codec: BlobCodec;
  let cache: ParentCache;

  before(async () => {
    mkdirSync(join(source, 'dir', 'below'), { recursive: true });
    for (let i = 0; i < 30; i++) writeFileSync(join(source, 'dir', `f${i}`), `file ${i}\n`.repeat(50 + i));
    writeFileSync(join(source, 'dir', 'below', 'deep'), 'deep\n');
    writeFileSync(join(source, 'empty'), '');
    // Two names of one file: the tree keeps content under the first only.
    writeFileSync(join(source, 'linked-a'), 'one inode, two names\n');
    linkSync(join(source, 'linked-a'), join(source, 'linked-b'));
    pool = new Pool({ workers: 2, name: 'parent-cache-test', prefetch: 1 });
    codec = createBlobCodec(await loadZstd());
    repo = await Repository.init(join(work.path, 'repo'), { password: 'pw', scrypt: FAST_SCRYPT });
    cache = new ParentCache(cacheRoot, repo.config.id, repo.secrets.encryptionKey);
  });
  after(async () => {
    await pool.terminate();
    await repo.close();
    work.cleanup();
  });

  const backup = () => engineBackup({ repo, codec, pool, source, parentCache: cache });
  const treeTable = async (tree: Buffer) => {
    const { index } = await loadIndex(repo.storage, repo.sealer);
    const read = await readParentFiles({ ...repo, codec }, index, tree, 'test');
    assert.deepEqual(read.damaged, []);
    return read.table;
  };
  /**
   * The id of the source's own tree in the snapshot whose root tree is `root` (hex): what the
   * source holds. Not the root tree: the directories above the source are recorded too, and
   * other tests change /tmp's mtime at any time.
   */
  const sourceTree = async (root: Buffer) => {
    const { index } = await loadIndex(repo.storage, repo.sealer);
    const reader = new BlobReader(repo.storage, index, repo.sealer, repo.ids, codec, {});
    let tree = root;
    try {
      for (const name of source.split('/').filter(Boolean)) {
        const nodes = decodeTree(await reader.read(tree, 'tree'), name);
        tree = nodes.find((n) => n.node.name.toString() === name)?.subtree as Buffer;
        assert.ok(tree, `no directory ${name} in the tree`);
      }
    } finally {
      await reader.close();
    }
    return tree.toString('hex');
  };
  const cacheFile = () => {
    const dir = join(cacheRoot, repo.config.id);
    const names = readdirSync(dir).filter((name) => name.startsWith('parent-'));
    assert.equal(names.length, 1, names.join(' '));
    return join(dir, names[0] as string);
  };

  it('keeps, for the next backup, exactly the files the snapshot’s trees give it', async () => {
    assert.equal(holdsTableOf(cacheRoot, [source]), false, 'no table before the first backup');
    const first = await backup();
    assert.equal(first.parentFrom, undefined);
    // What the command asks before it opens the repository (to walk ahead): a table of these sources, in any repository.
    assert.equal(holdsTableOf(cacheRoot, [source]), true);
    assert.equal(holdsTableOf(cacheRoot, [join(source, 'deep')]), false);
    assert.equal(holdsTableOf(join(work.path, 'no-cache-here'), [source]), false);
    const cached = cache.read([source], first.id);
    assert.ok(cached, 'no cache entry after the first backup');
    const fromTrees = rowsOf(await treeTable(first.snapshot.tree));
    assert.deepEqual(rowsOf(cached), fromTrees);
    // 30 + deep + empty + the first name of the linked file; the later name has no content of its own.
    assert.equal(fromTrees.size, 33);
    assert.ok(fromTrees.has(join(source, 'linked-a')));
    assert.ok(!fromTrees.has(join(source, 'linked-b')));
    assert.ok(existsSync(join(cacheRoot, 'CACHEDIR.TAG')));
    // The user's alone: folders 0700, the entry 0600.
    assert.equal(statSync(cacheRoot).mode & 0o777, 0o700);
    assert.equal(statSync(join(cacheRoot, repo.config.id)).mode & 0o777, 0o700);
    assert.equal(statSync(cacheFile()).mode & 0o777, 0o600);
    // The rows waited in a scratch file unlinked as it was made: nothing but the entry is left.
    assert.deepEqual(
      readdirSync(join(cacheRoot, repo.config.id)).filter((name) => !name.startsWith('parent-')),
      [],
    );
  });

  it('is what the next backup takes its parent from, making the same snapshot', async () => {
    const [, second] = [await backup(), await backup()];
    assert.equal(second?.parentFrom, 'cache');
    const without = await engineBackup({ repo, codec, pool, source });
    assert.equal(without.parentFrom, 'trees');
    assert.equal(await sourceTree((second as BackupOutcome).snapshot.tree), await sourceTree(without.snapshot.tree));
    assert.equal(second?.snapshot.stats.newBytes, 0);
  });

  it('does not hide a change: a changed file is read again', async () => {
    await backup();
    writeFileSync(join(source, 'dir', 'f3'), 'changed, and longer than it was before the change\n'.repeat(40));
    const changed = await backup();
    assert.equal(changed.parentFrom, 'cache');
    assert.ok(changed.snapshot.stats.newBytes > 0);
    const fromTrees = rowsOf(await treeTable(changed.snapshot.tree));
    const row = Buffer.from(fromTrees.get(join(source, 'dir', 'f3')) as string, 'hex');
    assert.equal(row.readDoubleLE(0), readFileSync(join(source, 'dir', 'f3')).length);
    assert.deepEqual(rowsOf(cache.read([source], changed.id) as Uint8Array), fromTrees);
  });

  it('is a miss when damaged (and is replaced), or when it is an earlier snapshot’s', async () => {
    const kept = await backup();
    const path = cacheFile();
    const good = readFileSync(path);
    const damaged = Buffer.from(good);
    damaged[damaged.length - 100]! ^= 0x01;
    writeFileSync(path, damaged);
    assert.equal(cache.read([source], kept.id), undefined);
    assert.equal(existsSync(path), false, 'a cache file that does not open is removed');
    writeFileSync(path, damaged);
    const afterDamage = await backup();
    assert.equal(afterDamage.parentFrom, 'trees');
    assert.ok(cache.read([source], afterDamage.id), 'the run wrote a good one again');

    writeFileSync(path, good); // the table of `kept`, which is no longer the newest snapshot
    const afterOld = await backup();
    assert.equal(afterOld.parentFrom, 'trees');
    assert.equal(await sourceTree(afterOld.snapshot.tree), await sourceTree(afterDamage.snapshot.tree));
  });

  it('of another repository does not open', async () => {
    const latest = await backup();
    const other = new ParentCache(cacheRoot, repo.config.id, Buffer.alloc(32, 7));
    assert.equal(other.read([source], latest.id), undefined);
  });
});

describe('vigil backup and its cache folder', () => {
  const work = tempDir('vigil-parent-cache-cli-');
  const source = join(work.path, 'source');
  const repo = join(work.path, 'repo');
  const env = { XDG_CACHE_HOME: join(work.path, 'cache'), VIGIL_PASSWORD: 'pw' };
  before(() => {
    mkdirSync(source);
    for (let i = 0; i < 5; i++) writeFileSync(join(source, `f${i}`), `file ${i}\n`);
  });
  after(() => work.cleanup());

  const backup = async (...flags: string[]) => {
    const result = await vigil(['backup', source, '--to', repo, '--json', ...flags], { env });
    assert.equal(result.code, 0, result.stderr.toString());
    return JSON.parse(result.stdout.toString()) as { parentFrom?: string };
  };

  it('--no-cache neither writes nor reads the cache; without it, the second backup uses it', async () => {
    assert.equal((await backup('--no-cache')).parentFrom, undefined);
    assert.equal(existsSync(join(work.path, 'cache')), false);
    assert.equal((await backup('--no-cache')).parentFrom, 'trees');
    assert.equal((await backup()).parentFrom, 'trees');
    assert.ok(existsSync(join(work.path, 'cache', 'vigil', 'CACHEDIR.TAG')));
    assert.equal((await backup()).parentFrom, 'cache');
    assert.equal((await backup('--no-cache')).parentFrom, 'trees');
  });
});
