/**
 * A second backup keeps the extended attributes its parent snapshot recorded for a file whose
 * size, times and inode are unchanged (store-entries.ts: no listxattr for it), and reads them
 * again for a file whose ctime moved: setting an attribute moves the ctime and nothing else,
 * so a rule that looked at the content's stamp without the ctime would keep the old value.
 *
 * The first backup records a time a minute ahead, so that the racy rule (a file modified
 * within two seconds of the parent's time is read again) does not cover the fixture's files.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'tandem';
import { BlobReader } from '../src/repo/blob-reader.js';
import { type BlobCodec, createBlobCodec } from '../src/repo/compression.js';
import { loadIndex } from '../src/repo/index-load.js';
import { Repository } from '../src/repo/repository.js';
import type { TreeNode } from '../src/repo/tree.js';
import { walkSnapshotTree } from '../src/repo/tree-walk.js';
import { loadZstd } from '../src/repo/zstd.js';
import { engineBackup } from './backup-helpers.js';
import { tempDir } from './helpers.js';
import { tool } from './repo/meta-tree.js';

describe('second backup: extended attributes of unchanged files', () => {
  const work = tempDir('vigil-xattr-reuse-');
  const source = join(work.path, 'source');
  let pool: Pool;
  let repo: Repository;
  let codec: BlobCodec;
  const backup = (recordedTimeNs?: bigint) =>
    engineBackup({ repo, codec, pool, source, ...(recordedTimeNs ? { recordedTimeNs } : {}) });
  /** The entries under the source in snapshot tree `root`, by name. */
  const entries = async (root: Buffer): Promise<Map<string, TreeNode>> => {
    const loaded = await loadIndex(repo.storage, repo.sealer);
    const reader = new BlobReader(repo.storage, loaded.index, repo.sealer, repo.ids, codec);
    const found = new Map<string, TreeNode>();
    try {
      for await (const { path, entry } of walkSnapshotTree(reader, root, assert.fail)) {
        const at = path.toString();
        if (at.startsWith(`${source}/`)) found.set(at.slice(source.length + 1), entry);
      }
    } finally {
      await reader.close();
    }
    return found;
  };
  const note = (entry: TreeNode | undefined): string | undefined =>
    entry?.node.xattrs.find((x) => x.name.toString() === 'user.note')?.value.toString();

  before(async () => {
    mkdirSync(source, { recursive: true });
    for (const name of ['changed', 'kept']) {
      writeFileSync(join(source, name), `${name}\n`);
      tool('setfattr', '-n', 'user.note', '-v', 'first', join(source, name));
    }
    pool = new Pool({ workers: 1, name: 'xattr-reuse-test' });
    codec = createBlobCodec(await loadZstd());
    repo = await Repository.init(join(work.path, 'repo'));
  });
  after(async () => {
    await pool.terminate();
    work.cleanup();
  });

  it("records a changed attribute of a file whose content is unchanged, and keeps the others'", async () => {
    const aheadNs = BigInt(Date.now() + 60_000) * 1_000_000n;
    const first = await backup(aheadNs);
    const recorded = await entries(first.snapshot.tree);
    assert.equal(note(recorded.get('changed')), 'first');

    tool('setfattr', '-n', 'user.note', '-v', 'second', join(source, 'changed'));
    tool('setfattr', '-n', 'user.other', '-v', 'added', join(source, 'kept'));
    tool('setfattr', '-x', 'user.other', join(source, 'kept'));
    const second = await backup(aheadNs + 1_000_000_000n);
    assert.equal(second.snapshot.stats.newBytes, 0, 'no content was new');
    const now = await entries(second.snapshot.tree);
    assert.equal(note(now.get('changed')), 'second');
    assert.equal(note(now.get('kept')), 'first');
    assert.deepEqual(
      now.get('kept')?.node.xattrs.map((x) => x.name.toString()),
      ['user.note'],
    );
  });

  it('keeps the recorded attributes of a file nothing touched, byte for byte', async () => {
    const before = await entries((await backup()).snapshot.tree);
    const after = await entries((await backup()).snapshot.tree);
    for (const name of ['changed', 'kept']) {
      assert.deepEqual(after.get(name)?.node.xattrs, before.get(name)?.node.xattrs, name);
    }
  });
});
