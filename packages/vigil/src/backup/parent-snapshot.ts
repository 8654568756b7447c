/**
 * What a backup takes from its parent snapshot: the files with their chunks by path (a file
 * whose size, times and inode are unchanged keeps them unread, and its extended attributes:
 * store-entries.ts), from one read of the parent's trees, many at once. A damaged tree is
 * noted and what it held is simply read again. (A directory whose entries are all unchanged
 * makes the very tree its parent snapshot has, found by its id: tree-assembly.ts.)
 */
import { BlobReader, TREE_WALK_OPEN_PACKS } from '../repo/blob-reader.js';
import type { BlobCodec } from '../repo/compression.js';
import type { BlobIndex } from '../repo/index-table.js';
import type { Repository } from '../repo/repository.js';
import type { StoredSnapshot } from '../repo/snapshot-store.js';
import type { TreeNode } from '../repo/tree.js';
import { fetchSnapshotTrees } from '../repo/tree-fetch.js';
import type { ParentFile } from './protocol.js';

/**
 * Tree reads in flight: over SFTP each is a round trip, which this many overlap (tree-fetch.ts);
 * the trees of a backup are in a few packs, which the BlobReader keeps open.
 */
const TREES_IN_FLIGHT = 16;

export interface ParentSnapshot {
  /** Regular files with content and a change stamp, by absolute path (latin1). */
  readonly files: Map<string, ParentFile>;
}

/** No parent: every file is read. */
export const NO_PARENT: ParentSnapshot = { files: new Map() };

export async function readParentSnapshot(
  repo: Repository,
  codec: BlobCodec,
  index: BlobIndex,
  parent: StoredSnapshot,
  damaged: string[],
): Promise<ParentSnapshot> {
  const files = new Map<string, ParentFile>();
  const reader = new BlobReader(repo.storage, index, repo.sealer, repo.ids, codec, {
    openPacks: TREE_WALK_OPEN_PACKS,
  });
  const onDamaged = (dir: Buffer, error: Error) =>
    damaged.push(`parent snapshot ${parent.id.slice(0, 16)}, ${dir.toString('utf8')}: ${error.message}`);
  const onTree = (dir: Buffer, _id: Buffer, nodes: readonly TreeNode[]) => {
    const key = dir.toString('latin1');
    const prefix = key === '/' ? '/' : `${key}/`;
    for (const { node, content, stamp } of nodes) {
      if (node.type !== 'file' || content === undefined || stamp === undefined) continue;
      files.set(`${prefix}${node.name.toString('latin1')}`, {
        size: node.size,
        mtimeNs: node.mtimeNs,
        ctimeNs: stamp.ctimeNs,
        ino: stamp.ino,
        content,
        xattrs: node.xattrs,
      });
    }
  };
  try {
    await fetchSnapshotTrees(reader, parent.snapshot.tree, { concurrency: TREES_IN_FLIGHT, onTree, onDamaged });
  } finally {
    await reader.close();
  }
  return { files };
}
