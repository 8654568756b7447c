/**
 * A second backup reuses the parent snapshot's tree of every directory whose entries are all
 * unchanged (tree-assembly.ts: the same records make the same tree, found by its id), and only
 * of those: a changed file, a changed subtree id, a directory's own mode or a file's xattr each
 * make the trees above them new, and the trees the assembly joins from records are the very
 * bytes encodeTree writes. The parent's trees are read many at once (tree-fetch.ts), the same
 * trees a walk in order reads.
 *
 * The fixture's directories get atimes after their mtimes and ctimes, so that listing them
 * (relatime) does not move them between the runs: atime is recorded, and a moved one is a
 * change. (Files are read with O_NOATIME.) The one directory not the test's own is the temp
 * folder (its node is in the tree of '/'): other tests change it, so where the root tree's
 * id moved the test counts one more tree encoded.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'tandem';
import { runBackup } from '../src/backup/run-backup.js';
import { TreeAssembly } from '../src/backup/tree-assembly.js';
import { BlobReader } from '../src/repo/blob-reader.js';
import { type BlobCodec, createBlobCodec } from '../src/repo/compression.js';
import { loadIndex } from '../src/repo/index-load.js';
import type { MetaNode } from '../src/repo/metadata.js';
import { Repository } from '../src/repo/repository.js';
import { listSnapshots } from '../src/repo/snapshot-store.js';
import { decodeTree, encodeTree, type TreeNode } from '../src/repo/tree.js';
import { fetchSnapshotTrees } from '../src/repo/tree-fetch.js';
import { walkSnapshotTree } from '../src/repo/tree-walk.js';
import { loadZstd } from '../src/repo/zstd.js';
import type { RangeReader, Storage } from '../src/storage/storage.js';
import { tempDir } from './helpers.js';
import { tool } from './repo/meta-tree.js';

const quiet = { found() {}, walkDone() {}, fileDone() {}, log() {}, stop() {} };

/** The atime of every directory under `root` (and root's) an hour ahead: listing then leaves it alone. */
function settleAtimes(root: string): void {
  const ahead = Date.now() / 1000 + 3600;
  const visit = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.isDirectory()) visit(join(path, entry.name));
    }
    utimesSync(path, ahead, statSync(path).mtime);
  };
  visit(root);
}

describe('second backup: unchanged directories reuse their parent tree', () => {
  const work = tempDir('vigil-tree-reuse-');
  const source = join(work.path, 'source');
  let pool: Pool;
  let repo: Repository;
  let codec: BlobCodec;
  /** Directories recorded: '/', those above the source, the source and its four. */
  let dirs: number;
  const backup = () =>
    runBackup({ repo, codec, sources: [source], excludes: [], tags: [], compression: 'auto', pool, progress: quiet });
  /** The tree of `dir` (relative to '/') in a snapshot's root tree. */
  const treeOf = async (root: Buffer, dir: string): Promise<Buffer> => {
    const loaded = await loadIndex(repo.storage, repo.sealer);
    const reader = new BlobReader(repo.storage, loaded.index, repo.sealer, repo.ids, codec);
    try {
      let id = root;
      for (const name of dir.split('/').filter((part) => part !== '')) {
        const nodes = decodeTree(await reader.read(id, 'tree'), name);
        const entry = nodes.find((n) => n.node.name.toString() === name);
        assert.ok(entry?.subtree, `no directory ${name} in ${dir}`);
        id = entry.subtree;
      }
      return id;
    } finally {
      await reader.close();
    }
  };

  before(async () => {
    mkdirSync(join(source, 'a'), { recursive: true });
    mkdirSync(join(source, 'b', 'c', 'd'), { recursive: true });
    writeFileSync(join(source, 'a', 'x'), 'x\n');
    writeFileSync(join(source, 'a', 'y'), 'y\n');
    writeFileSync(join(source, 'b', 'z'), 'z\n');
    writeFileSync(join(source, 'b', 'c', 'w'), 'w\n');
    writeFileSync(join(source, 'b', 'c', 'd', 'v'), 'v\n');
    writeFileSync(join(source, 'top'), 'top\n');
    settleAtimes(source);
    dirs = 1 + source.split('/').length - 1 + 4;
    pool = new Pool({ workers: 1, name: 'tree-reuse-test' });
    codec = createBlobCodec(await loadZstd());
    repo = await Repository.init(join(work.path, 'repo'));
  });
  after(async () => {
    await pool.terminate();
    work.cleanup();
  });

  it('encodes every tree on the first backup and none on an unchanged second, keeping the root', async () => {
    const first = await backup();
    assert.deepEqual(first.trees, { reused: 0, encoded: dirs });
    const second = await backup();
    const tmpMoved = second.snapshot.tree.equals(first.snapshot.tree) ? 0 : 1;
    assert.deepEqual(second.trees, { reused: dirs - tmpMoved, encoded: tmpMoved });
    assert.ok((await treeOf(second.snapshot.tree, source)).equals(await treeOf(first.snapshot.tree, source)));
  });

  it("encodes the trees above a changed file (a changed subtree id too), and reuses the others'", async () => {
    const before = await backup();
    writeFileSync(join(source, 'b', 'c', 'w'), 'w changed\n');
    const after = await backup();
    // b/c holds the file; b, the source, the folders above it and '/' hold a changed subtree id.
    const changed = 1 + 1 + (source.split('/').length - 1) + 1;
    assert.deepEqual(after.trees, { reused: dirs - changed, encoded: changed });
    assert.ok(
      (await treeOf(after.snapshot.tree, `${source}/a`)).equals(await treeOf(before.snapshot.tree, `${source}/a`)),
    );
    assert.ok(
      (await treeOf(after.snapshot.tree, `${source}/b/c/d`)).equals(
        await treeOf(before.snapshot.tree, `${source}/b/c/d`),
      ),
    );
    assert.ok(
      !(await treeOf(after.snapshot.tree, `${source}/b`)).equals(await treeOf(before.snapshot.tree, `${source}/b`)),
    );
  });

  it("makes a new tree for a metadata-only change: a directory's mode, a file's xattr", async () => {
    const before = await backup();
    tool('chmod', '0700', join(source, 'b', 'c', 'd'));
    const moded = await backup();
    // d's own entries are unchanged (its tree is reused); its node in c changed, so c and up are new.
    assert.ok(
      (await treeOf(moded.snapshot.tree, `${source}/b/c/d`)).equals(
        await treeOf(before.snapshot.tree, `${source}/b/c/d`),
      ),
    );
    assert.ok(
      !(await treeOf(moded.snapshot.tree, `${source}/b/c`)).equals(await treeOf(before.snapshot.tree, `${source}/b/c`)),
    );
    assert.ok(moded.trees.encoded > 0);

    tool('setfattr', '-n', 'user.note', '-v', 'a note', join(source, 'a', 'x'));
    const noted = await backup();
    assert.ok(
      !(await treeOf(noted.snapshot.tree, `${source}/a`)).equals(await treeOf(moded.snapshot.tree, `${source}/a`)),
    );
    assert.ok(
      (await treeOf(noted.snapshot.tree, `${source}/b`)).equals(await treeOf(moded.snapshot.tree, `${source}/b`)),
    );
  });

  it("does not move a directory's atime by listing it (relatime would: atime before mtime)", async () => {
    const dir = join(source, 'a');
    utimesSync(dir, 946684800, statSync(dir).mtime);
    const atimeNs = statSync(dir, { bigint: true }).atimeNs;
    await backup();
    assert.equal(statSync(dir, { bigint: true }).atimeNs, atimeNs);
  });

  it('reads the parent trees many at once, the same trees a walk in order reads', async () => {
    const parent = (await listSnapshots(repo)).snapshots.at(-1);
    assert.ok(parent);
    const loaded = await loadIndex(repo.storage, repo.sealer);
    let inFlight = 0;
    let most = 0;
    // Each read yields to the event loop first, so reads begun meanwhile overlap it.
    const storage: Storage = Object.create(repo.storage, {
      openReader: {
        value: async (name: string): Promise<RangeReader> => {
          const inner = await repo.storage.openReader(name);
          return {
            size: inner.size,
            close: () => inner.close(),
            read: async (offset: number, length: number) => {
              most = Math.max(most, ++inFlight);
              try {
                await new Promise((resolve) => setImmediate(resolve));
                return await inner.read(offset, length);
              } finally {
                inFlight--;
              }
            },
          };
        },
      },
    });
    const fetched = new Map<string, { id: Buffer; nodes: readonly TreeNode[] }>();
    const reader = new BlobReader(storage, loaded.index, repo.sealer, repo.ids, codec);
    await fetchSnapshotTrees(reader, parent.snapshot.tree, {
      concurrency: 4,
      onTree: (dir, id, nodes) => fetched.set(dir.toString('latin1'), { id, nodes }),
      onDamaged: (dir, error) => assert.fail(`${dir}: ${error.message}`),
    });
    await reader.close();
    assert.ok(most >= 2, `at most ${most} tree read in flight`);

    const walked = new Map<string, TreeNode[]>([['/', []]]);
    const inOrder = new BlobReader(repo.storage, loaded.index, repo.sealer, repo.ids, codec);
    for await (const { path, entry } of walkSnapshotTree(inOrder, parent.snapshot.tree, assert.fail)) {
      const at = path.toString('latin1');
      const dir = at.slice(0, at.lastIndexOf('/')) || '/';
      walked.get(dir)?.push(entry);
      if (entry.node.type === 'dir') walked.set(at, []);
    }
    await inOrder.close();
    assert.deepEqual([...fetched.keys()].sort(), [...walked.keys()].sort());
    for (const [dir, nodes] of walked) assert.deepEqual(fetched.get(dir)?.nodes, nodes, dir);
  });

  it('joins from records the very tree bytes encodeTree writes, and finds an unchanged tree by its id', async () => {
    const parent = (await listSnapshots(repo)).snapshots.at(-1);
    assert.ok(parent);
    const loaded = await loadIndex(repo.storage, repo.sealer);
    // The parent's entries again, one file's mode changed: its directory and those above are new.
    const assembly = new TreeAssembly();
    const reader = new BlobReader(repo.storage, loaded.index, repo.sealer, repo.ids, codec);
    const pending: { dir: string; id: Buffer }[] = [{ dir: '/', id: parent.snapshot.tree }];
    while (pending.length > 0) {
      const { dir, id } = pending.pop() as { dir: string; id: Buffer };
      for (const entry of decodeTree(await reader.read(id, 'tree'), dir)) {
        const path = `${dir === '/' ? '' : dir}/${entry.node.name.toString('latin1')}`;
        const node: MetaNode = path === `${source}/top` ? { ...entry.node, mode: 0o600 } : entry.node;
        assembly.addNode(
          Buffer.from(path, 'latin1'),
          { ...node, ...(entry.stamp ? { stamp: entry.stamp } : {}) },
          entry.content,
        );
        if (entry.subtree) pending.push({ dir: path, id: entry.subtree });
      }
    }
    await reader.close();
    const joined: Buffer[] = [];
    const built = assembly.build((bytes) => {
      joined.push(bytes);
      const id = repo.ids.id(bytes);
      return { id, storedBytes: loaded.index.has(id) ? 0 : bytes.length };
    });
    assert.ok(!built.root.equals(parent.snapshot.tree));
    assert.equal(built.encoded, 1 + (source.split('/').length - 1));
    assert.equal(built.reused, dirs - built.encoded);
    assert.equal(joined.length, dirs);
    // Each tree decodes and encodes again to the same bytes: joined records are encodeTree's output.
    for (const bytes of joined) assert.ok(encodeTree(decodeTree(bytes, 'a tree')).equals(bytes));
  });
});
