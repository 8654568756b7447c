/**
 * What the commands that look inside snapshots (ls, diff, find, copy's source) share: a
 * BlobReader over the repository's whole index (damaged index files named, the rest read),
 * and finding the entry at one absolute path by reading down the trees.
 */
import { BlobReader, TREE_WALK_OPEN_PACKS } from '../repo/blob-reader.js';
import type { BlobCodec } from '../repo/compression.js';
import { loadIndex } from '../repo/index-load.js';
import type { BlobIndex } from '../repo/index-table.js';
import type { Repository } from '../repo/repository.js';
import { decodeTree, decodeTreeListing, type TreeNode } from '../repo/tree.js';

export interface SnapshotReading {
  readonly reader: BlobReader;
  readonly index: BlobIndex;
}

/** A reader of `repo`'s blobs; index files that cannot be read are named on `log` (their blobs are then missing). */
export async function openSnapshotReading(
  repo: Repository,
  codec: BlobCodec,
  log: (line: string) => void,
): Promise<SnapshotReading> {
  const loaded = await loadIndex(repo.storage, repo.sealer);
  for (const error of loaded.damaged) log(`vigil: ${error.message}`);
  const reader = new BlobReader(repo.storage, loaded.index, repo.sealer, repo.ids, codec, {
    openPacks: TREE_WALK_OPEN_PACKS,
  });
  return { reader, index: loaded.index };
}

/** What is at an absolute path of a snapshot: the root ('/': no entry of its own), an entry, or nothing. */
export type Located = { readonly entry?: TreeNode; readonly path: Buffer } | undefined;

const SLASH = 0x2f;

/**
 * The entry at `path` (absolute, normalised: no '.', '..', doubled or trailing '/'), read down
 * from the tree `root`; undefined when the snapshot does not hold it. Damaged trees on the
 * way throw TreeDamagedError / BlobUnreadableError.
 */
export async function locate(reader: BlobReader, root: Buffer, path: Buffer): Promise<Located> {
  if (path.length === 1 && path[0] === SLASH) return { path };
  const names = splitPath(path);
  let tree: Buffer | undefined = root;
  let entry: TreeNode | undefined;
  for (const [i, name] of names.entries()) {
    if (tree === undefined) return undefined;
    const nodes = decodeTreeListing(await reader.read(tree, 'tree'), `above ${path.toString('utf8')}`);
    entry = findByName(nodes, name);
    if (entry === undefined) return undefined;
    tree = i < names.length - 1 ? entry.subtree : undefined;
  }
  return entry === undefined ? undefined : { entry, path };
}

/** A tree's nodes are sorted by name bytewise: binary search. */
function findByName(nodes: readonly TreeNode[], name: Buffer): TreeNode | undefined {
  let low = 0;
  let high = nodes.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const node = nodes[middle] as TreeNode;
    const order = Buffer.compare(node.node.name, name);
    if (order === 0) return node;
    if (order < 0) low = middle + 1;
    else high = middle - 1;
  }
  return undefined;
}

function splitPath(path: Buffer): Buffer[] {
  const names: Buffer[] = [];
  let start = 1;
  for (let i = 1; i <= path.length; i++) {
    if (i === path.length || path[i] === SLASH) {
      if (i > start) names.push(path.subarray(start, i));
      start = i + 1;
    }
  }
  return names;
}

/** `child` below `dir` ('/' joins without a second slash). */
export function joinPath(dir: Buffer, name: Buffer): Buffer {
  return dir.length === 1 ? Buffer.concat([dir, name]) : Buffer.concat([dir, Buffer.from('/'), name]);
}

/**
 * Every entry below the tree `tree` at `dir`, in the order ls(1) -R or find(1) print them:
 * each directory right before what it holds (tree-walk.ts lists a directory's entries
 * before descending, which suits restore, not a listing). A tree that cannot be read (or
 * that contains itself) goes to `onDamaged` and the walk goes on beside it. `decode` is
 * decodeTreeListing where only names and metadata are shown (ls): files then have no content refs.
 */
export async function* walkInOrder(
  reader: BlobReader,
  tree: Buffer,
  dir: Buffer,
  onDamaged: (dir: Buffer, error: Error) => void,
  decode: typeof decodeTree = decodeTree,
): AsyncGenerator<{ path: Buffer; entry: TreeNode }> {
  // One generator and a stack of open directories, not a generator per directory: each
  // entry would otherwise pass through one `yield*` per level above it, an await each.
  const active = new Set<string>();
  const stack: { readonly at: Buffer; readonly key: string; readonly nodes: TreeNode[]; next: number }[] = [];
  const enter = async (at: Buffer, id: Buffer): Promise<void> => {
    const key = id.toString('latin1');
    if (active.has(key)) {
      onDamaged(at, new Error('the tree contains itself (a loop): refused'));
      return;
    }
    let nodes: TreeNode[];
    try {
      nodes = decode(await reader.read(id, 'tree'), `of ${at.toString('utf8')}`);
    } catch (error) {
      onDamaged(at, error as Error);
      return;
    }
    active.add(key);
    stack.push({ at, key, nodes, next: 0 });
  };
  await enter(dir, tree);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as (typeof stack)[number];
    if (top.next === top.nodes.length) {
      active.delete(top.key);
      stack.pop();
      continue;
    }
    const entry = top.nodes[top.next++] as TreeNode;
    const path = joinPath(top.at, entry.node.name);
    yield { path, entry };
    if (entry.subtree !== undefined) await enter(path, entry.subtree);
  }
}
