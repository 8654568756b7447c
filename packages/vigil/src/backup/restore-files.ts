/**
 * Restores regular files of a snapshot, a batch at a time: on a restore worker
 * (restore-tasks.ts) or, without workers, on the main thread. A batch is a list of groups,
 * each some entries of one directory: the directory's descriptor in TARGET (worker threads
 * share the process's descriptors, and the main thread keeps it open until the batch is
 * done), the directory's tree as the main thread read and checked it, and which of its
 * entries to restore here.
 *
 * Where TARGET already holds an entry by that name (only possible in a directory restore
 * did not make), `overwrite` decides: `never` keeps it, `if-changed` replaces it when it
 * differs from the snapshot, `always` replaces it without looking. An entry found identical
 * is counted, not restored again; its metadata is set as recorded. A differing one kept is
 * a failure that names it.
 */
import { writeSync } from 'node:fs';
import type { BlobReader } from '../repo/blob-reader.js';
import type { MetaAddon } from '../repo/meta-calls.js';
import type { EntryRestorer } from '../repo/restore-entry.js';
import { type ContentRef, decodeTree, type TreeNode } from '../repo/tree.js';
import { existingFile } from './restore-existing.js';

/** --overwrite: what restore does with an entry TARGET already holds. */
export type OverwriteMode = 'never' | 'if-changed' | 'always';
export const OVERWRITE_MODES: readonly OverwriteMode[] = ['never', 'if-changed', 'always'];

/** Entries of one directory to restore (Buffers cross to workers as Uint8Arrays). */
export interface FileGroup {
  readonly dirFd: number;
  /** The directory's path in the snapshot, for messages. */
  readonly dirPath: Uint8Array;
  /** Its tree blob's id (a worker reads the tree itself, once: sending it with every batch cost more). */
  readonly tree: Uint8Array;
  /** Whether restore made the directory (so nothing in it can be in the way). */
  readonly fresh: boolean;
  /** Positions in the tree of the files to restore. */
  readonly entries: readonly number[];
}

export interface FileBatchOutcome {
  restored: number;
  identical: number;
  /** Each file that failed: its path in the snapshot and why. */
  readonly failures: { path: string; message: string }[];
}

export interface FileRestoreContext {
  readonly reader: BlobReader;
  readonly trees: TreeCache;
  readonly restorer: EntryRestorer;
  readonly calls: MetaAddon;
}

/** Restores every file of `groups`; a failure fails its file alone. */
export async function restoreFiles(
  context: FileRestoreContext,
  groups: readonly FileGroup[],
  overwrite: OverwriteMode,
): Promise<FileBatchOutcome> {
  const outcome: FileBatchOutcome = { restored: 0, identical: 0, failures: [] };
  for (const group of groups) {
    const dirPath = asBuffer(group.dirPath);
    const nodes = await context.trees.get(asBuffer(group.tree), dirPath);
    for (const position of group.entries) {
      const entry = nodes[position];
      if (entry === undefined)
        throw new RangeError(`restoreFiles: no entry ${position} in ${dirPath.toString('utf8')}`);
      const { node } = entry;
      const content = entry.content ?? [];
      try {
        if (!group.fresh && overwrite !== 'always') {
          const existing = existingFile(context.calls, context.reader, group.dirFd, node, content);
          if (existing === 'identical') {
            context.restorer.restoreMetadata(group.dirFd, node);
            outcome.identical++;
            continue;
          }
          if (existing === 'different' && overwrite === 'never') {
            outcome.failures.push({ path: childPath(dirPath, node.name), message: DIFFERS });
            continue;
          }
        }
        await context.restorer.restoreFile(group.dirFd, node, (fd) => writeChunks(context.reader, fd, content));
        outcome.restored++;
      } catch (error) {
        outcome.failures.push({ path: childPath(dirPath, node.name), message: (error as Error).message });
      }
    }
  }
  return outcome;
}

export const DIFFERS =
  'exists in the target and differs from the snapshot: left as it is ' +
  '(restore with --overwrite if-changed to replace what differs)';

/** Each chunk read (and checked against its id) and written at its offset; returns where the last one ends. */
export async function writeChunks(reader: BlobReader, fd: number, content: readonly ContentRef[]): Promise<number> {
  for (const ref of content) {
    const bytes = await reader.readChunk(ref.id, ref.length);
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, ref.offset + done);
  }
  const last = content.at(-1);
  return last === undefined ? 0 : last.offset + last.length;
}

/** `dir/name` as text, `/name` under the root. */
export function childPath(dirPath: Buffer, name: Buffer): string {
  const dir = dirPath.toString('utf8');
  return `${dir === '/' ? '' : dir}/${name.toString('utf8')}`;
}

/**
 * The trees batches name, decoded, the last few kept: a big directory's files come in many
 * batches, and decoding its tree for each made restore quadratic in the directory's size.
 */
export class TreeCache {
  readonly #reader: BlobReader;
  readonly #trees = new Map<string, TreeNode[]>();

  constructor(reader: BlobReader) {
    this.#reader = reader;
  }

  /** The entries of tree `id` (of the directory `dirPath`, for messages). */
  async get(id: Buffer, dirPath: Buffer): Promise<TreeNode[]> {
    const key = id.toString('latin1');
    let nodes = this.#trees.get(key);
    if (nodes === undefined) nodes = decodeTree(await this.#reader.read(id, 'tree'), `of ${dirPath.toString('utf8')}`);
    else this.#trees.delete(key);
    this.remember(key, nodes);
    return nodes;
  }

  /** Keeps `nodes` as the tree `key` (latin1 of its id): the walk decoded it already. */
  remember(key: string, nodes: TreeNode[]): void {
    this.#trees.set(key, nodes);
    if (this.#trees.size > TREES_KEPT) this.#trees.delete(this.#trees.keys().next().value as string);
  }
}

/** Enough for the directories a depth-first walk has open at once, bounded (a tree may hold 10^6 entries). */
const TREES_KEPT = 32;

/** A Buffer over the same bytes (structured clone hands Buffers over as Uint8Arrays). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
