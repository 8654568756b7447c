/**
 * Reads every tree below a snapshot's root with many reads in flight (`concurrency`), in no
 * particular order: for a backup's parent snapshot, which needs each directory's entries but
 * no order. walkSnapshotTree (tree-walk.ts) reads one tree at a time, in order, so over SFTP
 * each of the parent's thousands of trees cost a round trip of its own; here they overlap,
 * and a link of 20 ms costs about 20 ms per `concurrency` trees, not per tree.
 *
 * Every tree is read through the BlobReader (checked against its id) and decoded with every
 * check of tree.ts; a tree that fails is reported to `onDamaged` and what it held is missing,
 * the rest is whole. A directory whose tree is one of its ancestors' is refused as a loop.
 * Directories that share a tree (identical ones) are read once. Memory: the queue holds the
 * directories found and not yet read; the trees go to `onTree` as they come.
 */
import type { BlobReader } from './blob-reader.js';
import { decodeTree, type TreeNode } from './tree.js';

/** A directory to read, with the chain of tree ids above it (a loop check without a set per path). */
interface Pending {
  readonly dir: Buffer;
  readonly id: Buffer;
  readonly above: Chain | undefined;
}

interface Chain {
  readonly id: Buffer;
  readonly up: Chain | undefined;
}

const SEP = Buffer.from('/');

export async function fetchSnapshotTrees(
  reader: BlobReader,
  root: Buffer,
  options: {
    readonly concurrency: number;
    readonly onTree: (dir: Buffer, id: Buffer, nodes: readonly TreeNode[]) => void;
    readonly onDamaged: (dir: Buffer, error: Error) => void;
  },
): Promise<void> {
  const queue: Pending[] = [{ dir: Buffer.from('/'), id: root, above: undefined }];
  /** Trees read or being read, by id: identical directories share one read. */
  const decoded = new Map<string, Promise<TreeNode[]>>();
  let reading = 0;
  let waiting: (() => void)[] = [];
  const wakeAll = () => {
    const wake = waiting;
    waiting = [];
    for (const resume of wake) resume();
  };

  const visit = async ({ dir, id, above }: Pending): Promise<void> => {
    for (let link = above; link !== undefined; link = link.up) {
      if (link.id.equals(id)) {
        options.onDamaged(dir, new Error('the tree contains itself (a loop): refused'));
        return;
      }
    }
    const key = id.toString('hex');
    let nodes = decoded.get(key);
    if (nodes === undefined) {
      nodes = reader.read(id, 'tree').then((plain) => decodeTree(plain, `of ${dir.toString('utf8')}`));
      decoded.set(key, nodes);
    }
    let entries: TreeNode[];
    try {
      entries = await nodes;
    } catch (error) {
      options.onDamaged(dir, error as Error);
      return;
    }
    options.onTree(dir, id, entries);
    const chain: Chain = { id, up: above };
    for (const entry of entries) {
      if (entry.subtree === undefined) continue;
      const path =
        dir.length === 1 ? Buffer.concat([dir, entry.node.name]) : Buffer.concat([dir, SEP, entry.node.name]);
      queue.push({ dir: path, id: entry.subtree, above: chain });
    }
  };

  // Lanes take directories until none is queued and none is being read (which could queue more).
  const lane = async (): Promise<void> => {
    for (;;) {
      const next = queue.pop();
      if (next === undefined) {
        if (reading === 0) return wakeAll();
        await new Promise<void>((resume) => waiting.push(resume));
        continue;
      }
      reading++;
      try {
        await visit(next);
      } finally {
        reading--;
        wakeAll();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, lane));
}
