/**
 * `vigil find`'s engine: the entries of snapshots whose name (or, for a pattern with a '/',
 * whose absolute path) matches a glob, by picomatch. A directory met again at the same path
 * with the same tree id (in another snapshot, or the same one) holds the same entries, so
 * its matches are remembered by (path, tree id) and not looked for again: finding in a
 * hundred nightly snapshots reads about what changed between them, not a hundred trees.
 */
import picomatch from 'picomatch';
import { UsageError } from '../errors.js';
import type { BlobReader } from '../repo/blob-reader.js';
import { decodeTreeListing, type TreeNode } from '../repo/tree.js';
import { joinPath } from './snapshot-reading.js';

export interface FoundEntry {
  readonly path: Buffer;
  readonly entry: TreeNode;
}

/** Whether an entry matches, by its absolute path and its name. */
export type EntryMatcher = (path: string, name: string) => boolean;

/**
 * One matcher for all patterns: a pattern without '/' matches names; one with '/' matches
 * absolute paths, and when it does not start with '/' it may match at any depth
 * ('doc/*.txt' finds /usr/share/doc/a.txt). Dot files match like the others (`dot`).
 */
export function entryMatcher(patterns: readonly string[]): EntryMatcher {
  if (patterns.length === 0) throw new UsageError('give at least one PATTERN (a glob such as "*.conf")');
  const onNames: picomatch.Matcher[] = [];
  const onPaths: picomatch.Matcher[] = [];
  for (const pattern of patterns) {
    if (pattern === '') throw new UsageError('an empty PATTERN matches nothing: give a glob such as "*.conf"');
    if (!pattern.includes('/')) onNames.push(picomatch(pattern, { dot: true }));
    else onPaths.push(picomatch(pattern.startsWith('/') ? pattern : `**/${pattern}`, { dot: true }));
  }
  return (path, name) => onNames.some((m) => m(name)) || onPaths.some((m) => m(path));
}

const NONE: readonly FoundEntry[] = [];

export class SnapshotFinder {
  readonly #reader: BlobReader;
  readonly #matches: EntryMatcher;
  readonly #onDamaged: (dir: Buffer, error: Error) => void;
  /** (path, tree id) -> the matches below it. */
  readonly #memo = new Map<string, readonly FoundEntry[]>();
  /** Trees read (for the benchmark's notes and tests of the memo). */
  treesRead = 0;

  constructor(reader: BlobReader, matches: EntryMatcher, onDamaged: (dir: Buffer, error: Error) => void) {
    this.#reader = reader;
    this.#matches = matches;
    this.#onDamaged = onDamaged;
  }

  /** The matching entries of the snapshot whose root tree is `root`, depth first in name order. */
  find(root: Buffer): Promise<readonly FoundEntry[]> {
    return this.#below(Buffer.from('/'), root, new Set());
  }

  async #below(dir: Buffer, tree: Buffer, active: Set<string>): Promise<readonly FoundEntry[]> {
    const key = `${dir.toString('latin1')}\0${tree.toString('latin1')}`;
    const known = this.#memo.get(key);
    if (known !== undefined) return known;
    const id = tree.toString('latin1');
    if (active.has(id)) {
      this.#onDamaged(dir, new Error('the tree contains itself (a loop): refused'));
      return NONE;
    }
    let nodes: TreeNode[];
    try {
      this.treesRead++;
      nodes = decodeTreeListing(await this.#reader.read(tree, 'tree'), `of ${dir.toString('utf8')}`);
    } catch (error) {
      this.#onDamaged(dir, error as Error);
      return NONE;
    }
    active.add(id);
    const found: FoundEntry[] = [];
    for (const entry of nodes) {
      const path = joinPath(dir, entry.node.name);
      if (this.#matches(path.toString('utf8'), entry.node.name.toString('utf8'))) found.push({ path, entry });
      if (entry.subtree !== undefined) {
        const deeper = await this.#below(path, entry.subtree, active);
        for (const match of deeper) found.push(match);
      }
    }
    active.delete(id);
    const result = found.length === 0 ? NONE : found;
    this.#memo.set(key, result);
    return result;
  }
}
