/**
 * What a backup takes from its parent snapshot: the files with their chunks by path (a file
 * whose size, times and inode are unchanged keeps them unread, and its extended attributes:
 * store-entries.ts), from one read of the parent's trees, many at once. A damaged tree is
 * noted and what it held is simply read again. (A directory whose entries are all unchanged
 * makes the very tree its parent snapshot has, found by its id: tree-assembly.ts.)
 *
 * It runs in a backup worker (tasks.ts's readParentFiles) while the main thread walks the
 * sources, and hands back the files as one table of bytes (parent-files.ts): decoding the
 * parent's trees was a second or more of the main thread's time before its walk could begin.
 */
import type { BlobIdHasher } from '../repo/blob-id.js';
import { BlobReader, TREE_WALK_OPEN_PACKS } from '../repo/blob-reader.js';
import type { BlobCodec } from '../repo/compression.js';
import type { BlobIndex } from '../repo/index-table.js';
import type { Sealer } from '../repo/pack-header.js';
import type { TreeNode } from '../repo/tree.js';
import { fetchSnapshotTrees } from '../repo/tree-fetch.js';
import type { Storage } from '../storage/storage.js';
import { ParentFilesWriter } from './parent-files.js';

/**
 * Tree reads in flight: over SFTP each is a round trip, which this many overlap (tree-fetch.ts);
 * the trees of a backup are in a few packs, which the BlobReader keeps open.
 */
const TREES_IN_FLIGHT = 16;

export interface ParentFilesRead {
  /** Regular files with content and a change stamp, by absolute path (parent-files.ts's table). */
  readonly table: Uint8Array;
  /** What could not be read, one line each (the files below it are read again). */
  readonly damaged: readonly string[];
}

export interface ParentReadingRepository {
  readonly storage: Storage;
  readonly sealer: Sealer;
  readonly ids: BlobIdHasher;
  readonly codec: BlobCodec;
}

/** The files of the snapshot whose root tree is `root` (`label` names it in what is damaged). */
export async function readParentFiles(
  repo: ParentReadingRepository,
  index: BlobIndex,
  root: Buffer,
  label: string,
): Promise<ParentFilesRead> {
  const files = new ParentFilesWriter();
  const damaged: string[] = [];
  const reader = new BlobReader(repo.storage, index, repo.sealer, repo.ids, repo.codec, {
    openPacks: TREE_WALK_OPEN_PACKS,
  });
  const onDamaged = (dir: Buffer, error: Error) =>
    damaged.push(`parent snapshot ${label}, ${dir.toString('utf8')}: ${error.message}`);
  const slash = Buffer.from('/');
  const onTree = (dir: Buffer, _id: Buffer, nodes: readonly TreeNode[]) => {
    const prefix = dir.length === 1 && dir[0] === 0x2f ? dir : Buffer.concat([dir, slash]);
    for (const { node, content, stamp } of nodes) {
      if (node.type !== 'file' || content === undefined || stamp === undefined) continue;
      files.add(prefix, node.name, {
        size: node.size,
        mtimeNs: node.mtimeNs,
        ctimeNs: stamp.ctimeNs,
        ino: stamp.ino,
        content,
        ...(node.xattrs ? { xattrs: node.xattrs } : {}),
      });
    }
  };
  try {
    await fetchSnapshotTrees(reader, root, { concurrency: TREES_IN_FLIGHT, onTree, onDamaged });
  } finally {
    await reader.close();
  }
  return { table: files.finish(), damaged };
}
