/**
 * Turns the entries a backup captured (in any order: workers answer out of order) into the
 * snapshot's trees, bottom-up: each directory's entries sorted by name become one tree blob,
 * whose id goes into the directory's record in its parent's tree, up to the root tree of '/'.
 * Entries arrive as the text of their records (entry-record.ts), so a tree is joined, not
 * encoded. Hard links are settled here, in byte order of paths: the least path of a (device,
 * inode) keeps its content and every later one records `linkTo` that path instead.
 *
 * Every tree is hashed; one the repository already holds (a directory unchanged since the
 * parent snapshot: same entries, metadata, chunks and subtree ids) is not stored again, and
 * counts as reused.
 */
import type { StoredBlob } from '../repo/blob-writer.js';
import type { MetaNode } from '../repo/metadata.js';
import { type ContentRef, subtreeJson, treeJson } from '../repo/tree.js';
import { type EntryRecord, entryRecord } from './entry-record.js';

const SLASH = 0x2f;

export interface BuiltTrees {
  readonly root: Buffer;
  /** Paths dropped because a directory above them could not be captured. */
  readonly orphans: string[];
  /** Later names of hard-linked files: recorded with `linkTo`, without content of their own. */
  readonly linked: string[];
  /** Directories (the root included) whose tree the repository or this run already had, and those stored. */
  readonly reused: number;
  readonly encoded: number;
}

export class TreeAssembly {
  /** latin1 of each absolute path (latin1 keeps every byte, and sorts as the bytes do) -> its record. */
  readonly #entries = new Map<string, EntryRecord>();

  add(path: Buffer, record: EntryRecord): void {
    this.#entries.set(path.toString('latin1'), record);
  }

  /** An entry given as a node (its content refs for a file), as a worker would have written it. */
  addNode(path: Buffer, node: MetaNode, content?: readonly ContentRef[]): void {
    this.add(path, entryRecord(node, content));
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Stores every tree with `storeTree` (deepest first) and returns the root tree's id. */
  build(storeTree: (plain: Buffer) => StoredBlob): BuiltTrees {
    const paths = [...this.#entries.keys()].sort(comparePaths);
    const links = new Map<string, string>();
    const linked: string[] = [];
    /** Directory path -> its entries' records, in path order (so in name order); a directory's own waits for its id. */
    const children = new Map<string, (string | { dir: string; members: string })[]>([['/', []]]);
    const orphans: string[] = [];
    for (const path of paths) {
      if (this.#entries.get(path)?.type === 'dir') children.set(path, []);
    }
    for (const path of paths) {
      const record = this.#entries.get(path) as EntryRecord;
      const siblings = children.get(parentOf(path));
      if (siblings === undefined) {
        orphans.push(path);
        continue;
      }
      if (record.type === 'dir') siblings.push({ dir: path, members: record.members });
      else siblings.push(settled(links, path, record, linked));
    }
    // Deepest directories first: a directory's tree needs its subdirectories' ids.
    const dirs = [...children.keys()]
      .filter((d) => d !== '/')
      .sort((a, b) => depth(b) - depth(a) || comparePaths(a, b));
    const subtree = new Map<string, Buffer>();
    let reused = 0;
    const treeOf = (dir: string): Buffer => {
      const records = (children.get(dir) as (string | { dir: string; members: string })[]).map((child) =>
        typeof child === 'string' ? child : `{${child.members}${subtreeJson(subtree.get(child.dir) as Buffer)}}`,
      );
      const stored = storeTree(treeJson(records));
      if (stored.storedBytes === 0) reused++;
      return stored.id;
    };
    for (const dir of dirs) subtree.set(dir, treeOf(dir));
    const root = treeOf('/');
    return { root, orphans, linked, reused, encoded: dirs.length + 1 - reused };
  }
}

/** The record as the tree keeps it: a later name of a hard-linked file points at the first, without content. */
function settled(links: Map<string, string>, path: string, record: EntryRecord, linked: string[]): string {
  if (record.link !== undefined) {
    const first = links.get(record.link);
    if (first !== undefined) {
      linked.push(path);
      // linkTo is the last member a file's record can have (nodeJsonMembers' order).
      const linkTo = Buffer.from(first.slice(1), 'latin1').toString('base64');
      return `{${record.members},"linkTo":"${linkTo}"${record.stamp}}`;
    }
    links.set(record.link, path);
  }
  return `{${record.members}${record.content}${record.stamp}}`;
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
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
