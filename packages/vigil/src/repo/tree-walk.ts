/**
 * Walks a snapshot's trees from its root: every entry with its absolute path, directories
 * before what they hold, in byte order of names. Trees are read through a BlobReader (so each
 * is checked against its id) and decoded with every check of tree.ts. Each directory's entries
 * come before what its subdirectories hold (a directory always before its contents). A tree that cannot be
 * read is reported to `onDamaged` with the directory's path and the walk goes on beside it:
 * what it held is missing from the walk, the rest is whole.
 */
import type { BlobReader } from './blob-reader.js';
import { decodeTree, type TreeNode } from './tree.js';

export interface WalkedNode {
  /** Absolute path bytes ('/home/me/notes'). */
  readonly path: Buffer;
  readonly entry: TreeNode;
}

/** Every entry below the tree `root`, depth first; damaged trees go to `onDamaged`. */
export async function* walkSnapshotTree(
  reader: BlobReader,
  root: Buffer,
  onDamaged: (dir: Buffer, error: Error) => void,
): AsyncGenerator<WalkedNode> {
  /** Trees being walked, by id: a tree that names itself (or an ancestor) is a loop, not a deeper tree. */
  const active = new Set<string>();
  const pending: { dir: Buffer; id: Buffer; leave?: string }[] = [{ dir: Buffer.from('/'), id: root }];
  while (pending.length > 0) {
    const top = pending.pop() as { dir: Buffer; id: Buffer; leave?: string };
    if (top.leave !== undefined) {
      active.delete(top.leave);
      continue;
    }
    const key = top.id.toString('hex');
    if (active.has(key)) {
      onDamaged(top.dir, new Error('the tree contains itself (a loop): refused'));
      continue;
    }
    let nodes: TreeNode[];
    try {
      nodes = decodeTree(await reader.read(top.id, 'tree'), `of ${top.dir.toString('utf8')}`);
    } catch (error) {
      onDamaged(top.dir, error as Error);
      continue;
    }
    active.add(key);
    pending.push({ dir: top.dir, id: top.id, leave: key });
    const below: { dir: Buffer; id: Buffer }[] = [];
    for (const entry of nodes) {
      const path =
        top.dir.length === 1
          ? Buffer.concat([top.dir, entry.node.name])
          : Buffer.concat([top.dir, SEP, entry.node.name]);
      yield { path, entry };
      if (entry.subtree !== undefined) below.push({ dir: path, id: entry.subtree });
    }
    // Reversed onto the stack, so directories are entered in name order.
    for (let i = below.length - 1; i >= 0; i--) pending.push(below[i] as { dir: Buffer; id: Buffer });
  }
}

const SEP = Buffer.from('/');
