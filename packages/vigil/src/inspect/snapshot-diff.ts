/**
 * What changed between two snapshots of one repository, in `vigil check`'s words (added,
 * removed, modified, moved, metadata, touched: baseline/compare.ts decides, as for check).
 * The two root trees are walked side by side, merging each directory's sorted entries by
 * name; a subdirectory whose tree id is the same in both is the same down to its last byte
 * (ids name contents) and is skipped without being read, which is what makes a diff of two
 * nightly snapshots cost about what changed, not what they hold.
 *
 * An entry becomes an EntryState whose digest is its content id: the hash of its chunk ids
 * and lengths (chunks are cut by content, so equal contents have equal chunk lists within a
 * repository), or of its hard-link target. Files added at one path and removed at another
 * with the same content id are "moved" (settleAddedRemoved, as check pairs them).
 */
import { createHash } from 'node:crypto';
import { type Change, compareEntry, settleAddedRemoved } from '../baseline/compare.js';
import type { EntryState, EntryType } from '../baseline/entry.js';
import { encodeXattrs } from '../fs/xattrs.js';
import type { BlobReader } from '../repo/blob-reader.js';
import type { NodeType } from '../repo/metadata.js';
import { decodeTree, type TreeNode } from '../repo/tree.js';
import { joinPath, walkInOrder } from './snapshot-reading.js';

export interface DiffTotals {
  /** Entries looked at, in either snapshot. */
  readonly entries: number;
  /** Directories skipped unread because their tree is the same in both. */
  readonly sameTrees: number;
  /** Directories whose tree could not be read (named through `onDamaged`). */
  readonly damaged: number;
}

export interface DiffOptions {
  readonly reader: BlobReader;
  /** Root trees of the older (A) and newer (B) snapshot. */
  readonly before: Buffer;
  readonly after: Buffer;
  /** Each change as found; additions and removals come last, once moves are settled. */
  readonly onChange: (change: Change) => void;
  readonly onDamaged: (dir: Buffer, error: Error) => void;
}

const ENTRY_TYPE: Readonly<Record<NodeType, EntryType>> = {
  file: 'file',
  dir: 'dir',
  symlink: 'symlink',
  fifo: 'fifo',
  char: 'device',
  block: 'device',
  socket: 'socket',
};

/** The state check's comparison works on, made from a tree entry at `path`. */
export function entryState(path: Buffer, entry: TreeNode): EntryState {
  const { node } = entry;
  return {
    path,
    type: ENTRY_TYPE[node.type],
    size: BigInt(node.size),
    mode: node.mode,
    uid: node.uid,
    gid: node.gid,
    ino: 0n,
    nlink: 1,
    mtimeNs: node.mtimeNs,
    ctimeNs: 0n,
    ...(node.linkTarget === undefined ? {} : { target: node.linkTarget }),
    ...(node.type === 'file' ? { digest: contentId(entry) } : {}),
    xattrs: encodeXattrs(node.xattrs),
  };
}

/** A file's content id: its chunk list (ids and lengths at their offsets), or the path its hard link names. */
function contentId(entry: TreeNode): Buffer {
  const hash = createHash('sha256');
  if (entry.node.linkTo !== undefined) {
    hash.update('hard link to\0').update(entry.node.linkTo);
    return hash.digest();
  }
  const number = Buffer.alloc(16);
  for (const ref of entry.content ?? []) {
    number.writeBigUInt64LE(BigInt(ref.offset), 0);
    number.writeBigUInt64LE(BigInt(ref.length), 8);
    hash.update(number).update(ref.id);
  }
  return hash.digest();
}

export async function diffSnapshots(options: DiffOptions): Promise<DiffTotals> {
  const { reader, onChange, onDamaged } = options;
  const added: EntryState[] = [];
  const removed: EntryState[] = [];
  const totals = { entries: 0, sameTrees: 0, damaged: 0 };
  const damaged = (dir: Buffer, error: Error) => {
    totals.damaged++;
    onDamaged(dir, error);
  };
  const read = async (dir: Buffer, id: Buffer): Promise<TreeNode[] | undefined> => {
    try {
      return decodeTree(await reader.read(id, 'tree'), `of ${dir.toString('utf8')}`);
    } catch (error) {
      damaged(dir, error as Error);
      return undefined;
    }
  };
  /** Everything below a directory only one side has: all added, or all removed. */
  const oneSide = async (dir: Buffer, tree: Buffer, into: EntryState[]) => {
    for await (const { path, entry } of walkInOrder(reader, tree, dir, damaged)) {
      totals.entries++;
      into.push(entryState(path, entry));
    }
  };
  const take = (changes: Change[]) => {
    for (const change of changes) {
      if (change.kind === 'added') added.push(change.after);
      else if (change.kind === 'removed') removed.push(change.before);
      else onChange(change);
    }
  };

  // Directory pairs to compare; a stack, so memory follows the depth and the breadth of what differs.
  const pending: { dir: Buffer; before: Buffer; after: Buffer }[] = [
    { dir: Buffer.from('/'), before: options.before, after: options.after },
  ];
  while (pending.length > 0) {
    const { dir, before, after } = pending.pop() as (typeof pending)[number];
    if (before.equals(after)) {
      totals.sameTrees++;
      continue;
    }
    const left = await read(dir, before);
    const right = await read(dir, after);
    // A side that cannot be read is named and compared as nothing: no false "removed" for it.
    if (left === undefined || right === undefined) continue;
    const below: (typeof pending)[number][] = [];
    let i = 0;
    let j = 0;
    while (i < left.length || j < right.length) {
      const a = left[i];
      const b = right[j];
      const order = a === undefined ? 1 : b === undefined ? -1 : Buffer.compare(a.node.name, b.node.name);
      const name = (order <= 0 ? a : b)?.node.name as Buffer;
      const path = joinPath(dir, name);
      const was = order <= 0 ? a : undefined;
      const is = order >= 0 ? b : undefined;
      if (order <= 0) i++;
      if (order >= 0) j++;
      totals.entries++;
      // Most entries of two snapshots are the same record (an unchanged file, or a directory
      // whose contents changed): nothing to report, and no state or content id to build.
      if (was === undefined || is === undefined || !sameRecord(was, is)) {
        take(compareEntry(was && entryState(path, was), is && { kind: 'state', state: entryState(path, is) }));
      }
      if (was?.subtree !== undefined && is?.subtree !== undefined) {
        below.push({ dir: path, before: was.subtree, after: is.subtree });
      } else if (was?.subtree !== undefined) await oneSide(path, was.subtree, removed);
      else if (is?.subtree !== undefined) await oneSide(path, is.subtree, added);
    }
    // Reversed onto the stack, so directories are compared in name order (changes come sorted by path).
    for (let k = below.length - 1; k >= 0; k--) pending.push(below[k] as (typeof pending)[number]);
  }
  for (const change of settleAddedRemoved(added, removed)) onChange(change);
  return totals;
}

/** Whether two entries of one name hold what compareEntry compares: the same content and metadata. */
function sameRecord(a: TreeNode, b: TreeNode): boolean {
  const x = a.node;
  const y = b.node;
  if (
    x.type !== y.type ||
    x.mode !== y.mode ||
    x.uid !== y.uid ||
    x.gid !== y.gid ||
    x.size !== y.size ||
    (x.type === 'file' && x.mtimeNs !== y.mtimeNs) ||
    !sameBytes(x.linkTarget, y.linkTarget) ||
    !sameBytes(x.linkTo, y.linkTo) ||
    x.xattrs.length !== y.xattrs.length
  ) {
    return false;
  }
  for (let i = 0; i < x.xattrs.length; i++) {
    const p = x.xattrs[i];
    const q = y.xattrs[i];
    if (!p || !q || !p.name.equals(q.name) || !p.value.equals(q.value)) return false;
  }
  const c = a.content ?? [];
  const d = b.content ?? [];
  if (c.length !== d.length) return false;
  for (let i = 0; i < c.length; i++) {
    const p = c[i];
    const q = d[i];
    if (!p || !q || p.offset !== q.offset || p.length !== q.length || !p.id.equals(q.id)) return false;
  }
  return true;
}

function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.equals(b);
}
