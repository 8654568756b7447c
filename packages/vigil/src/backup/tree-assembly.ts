/**
 * Turns the entries a backup captured (in any order: workers answer out of order) into the
 * snapshot's trees, bottom-up: each directory's entries sorted by name become one tree blob,
 * whose id goes into the directory's node in its parent's tree, up to the root tree of '/'.
 * Hard links are settled here, in byte order of paths: the least path of a (device, inode)
 * keeps its content and every later one records `linkTo` that path instead.
 *
 * A directory whose entries are exactly those of its tree in the parent snapshot (same
 * metadata, chunks, stamps and subtree ids: tree-equal.ts) reuses that tree's id, unencoded;
 * the others are encoded and stored through a BlobWriter (which skips a blob the repository
 * already holds).
 */
import type { StoredBlob } from '../repo/blob-writer.js';
import type { MetaNode } from '../repo/metadata.js';
import { type ContentRef, encodeTree, type TreeNode } from '../repo/tree.js';

const SLASH = 0x2f;

/** The id of the parent snapshot's tree for directory `dir` if it holds exactly `nodes`. */
export type ReuseTree = (dir: string, nodes: readonly TreeNode[]) => Buffer | undefined;

export interface BuiltTrees {
  readonly root: Buffer;
  /** Paths dropped because a directory above them could not be captured. */
  readonly orphans: string[];
  /** Directories (the root included) whose parent tree was reused, and those encoded. */
  readonly reused: number;
  readonly encoded: number;
}

/** One captured entry, by its absolute path. */
interface Captured {
  readonly node: MetaNode;
  readonly content?: readonly ContentRef[] | undefined;
}

export class TreeAssembly {
  /** latin1 of each absolute path (latin1 keeps every byte, and sorts as the bytes do) -> its entry. */
  readonly #entries = new Map<string, Captured>();

  add(path: Buffer, node: MetaNode, content?: readonly ContentRef[]): void {
    this.#entries.set(path.toString('latin1'), { node, content });
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Stores every tree with `storeTree` (deepest first), but those `reuse` finds unchanged, and
   * returns the root tree's id.
   */
  build(storeTree: (plain: Buffer) => StoredBlob, reuse: ReuseTree = () => undefined): BuiltTrees {
    const paths = [...this.#entries.keys()].sort(comparePaths);
    const links = new Map<string, string>();
    /** Directory path -> the nodes inside it, in path order (so in name order). */
    const children = new Map<string, TreeNode[]>([['/', []]]);
    const orphans: string[] = [];
    for (const path of paths) {
      if (this.#entries.get(path)?.node.type === 'dir') children.set(path, []);
    }
    for (const path of paths) {
      const { node, content } = this.#entries.get(path) as Captured;
      const siblings = children.get(parentOf(path));
      if (siblings === undefined) {
        orphans.push(path);
        continue;
      }
      siblings.push(settleLink(links, path, node, content));
    }
    // Deepest directories first: a directory's tree needs its subdirectories' ids.
    const dirs = [...children.keys()]
      .filter((d) => d !== '/')
      .sort((a, b) => depth(b) - depth(a) || comparePaths(a, b));
    const subtree = new Map<string, Buffer>();
    const withSubtrees = (dir: string): TreeNode[] =>
      (children.get(dir) as TreeNode[]).map((child) =>
        child.node.type === 'dir'
          ? { ...child, subtree: subtree.get(joinPath(dir, child.node.name)) as Buffer }
          : child,
      );
    let reused = 0;
    const treeOf = (dir: string): Buffer => {
      const nodes = withSubtrees(dir);
      const id = reuse(dir, nodes);
      if (id !== undefined) {
        reused++;
        return id;
      }
      return storeTree(encodeTree(nodes)).id;
    };
    for (const dir of dirs) subtree.set(dir, treeOf(dir));
    const root = treeOf('/');
    return { root, orphans, reused, encoded: dirs.length + 1 - reused };
  }
}

/** The node as the tree records it: a later name of a hard-linked file points at the first. */
function settleLink(
  links: Map<string, string>,
  path: string,
  node: MetaNode,
  content: readonly ContentRef[] | undefined,
): TreeNode {
  const { linkIdentity, stamp, ...stored } = node;
  if (node.type !== 'file') return { node: stored };
  const withStamp = stamp ? { stamp } : {};
  if (linkIdentity !== undefined) {
    const key = `${linkIdentity.dev}:${linkIdentity.ino}`;
    const first = links.get(key);
    if (first !== undefined) {
      return { node: { ...stored, linkTo: Buffer.from(first.slice(1), 'latin1') }, ...withStamp };
    }
    links.set(key, path);
  }
  return { node: stored, content: content ?? [], ...withStamp };
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

function joinPath(dir: string, name: Buffer): string {
  return `${dir === '/' ? '' : dir}/${name.toString('latin1')}`;
}

function depth(path: string): number {
  let n = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === SLASH) n++;
  return n;
}

/**
 * Byte order of paths, with '/' below every other byte so that a directory's entries come
 * right after it and before a sibling that extends its name ('/a', '/a/x', '/a-b').
 */
function comparePaths(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return (x === SLASH ? -1 : x) - (y === SLASH ? -1 : y);
  }
  return a.length - b.length;
}
