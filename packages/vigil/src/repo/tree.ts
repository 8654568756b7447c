/**
 * Tree blobs (docs/format-v2-trees.md): one directory's entries, each its node record
 * (metadata-codec.ts) plus what the tree adds: a file's content refs, a directory's subtree
 * id, a file's change stamp. The blob's plaintext is UTF-8 JSON, `{"nodes":[...]}`, sorted by
 * name bytewise so that the same directory always makes the same blob (and the same id: an
 * unchanged directory is stored once).
 *
 * Pure: no I/O. Decoding trusts nothing, checks every field before use and reports any
 * problem as a TreeDamagedError naming the blob, the entry and what is wrong.
 */
import { isUtf8 } from 'node:buffer';
import { VigilError } from '../errors.js';
import { formatBlobId, parseBlobId } from './blob-id.js';
import { MalformedNodeError, showName, UnsafeEntryNameError } from './meta-errors.js';
import type { MetaNode } from './metadata.js';
import { fromStoredNode, nodeJsonMembers, storedTime, storedTimeNs } from './metadata-codec.js';
import { MAX_BLOB_RAW_BYTES } from './pack-header.js';

/** One chunk of a file's content: the blob `id` holds the `length` bytes at `offset` of the file. */
export interface ContentRef {
  readonly offset: number;
  readonly id: Buffer;
  readonly length: number;
}

/** What the next backup compares to skip reading an unchanged file (never restored). */
export interface ChangeStamp {
  readonly ctimeNs: bigint;
  readonly ino: bigint;
}

/** One entry of a directory, as a tree blob stores it. */
export interface TreeNode {
  /** Its metadata; `linkIdentity` is capture-only and never stored. */
  readonly node: MetaNode;
  /** A file without `linkTo`: required, in order of offset; may be empty (an empty file, or all holes). */
  readonly content?: readonly ContentRef[];
  /** A directory: required, the 32-byte id of the directory's own tree blob. */
  readonly subtree?: Buffer;
  /** A file: optional. */
  readonly stamp?: ChangeStamp;
}

/** The most entries one tree blob may hold: bounds what decoding one allocates. */
export const MAX_TREE_NODES = 1_000_000;
const MAX_U64 = 2n ** 64n - 1n;
/** A u64 in decimal as it is written: no sign, no leading zero (one spelling per number). */
const DECIMAL_U64 = /^(0|[1-9][0-9]{0,19})$/;

/** A tree blob is not what docs/format-v2-trees.md says: the directory it holds cannot be trusted. */
export class TreeDamagedError extends VigilError {
  /** Which tree: its id, or the path it was read for. */
  readonly what: string;
  constructor(what: string, problem: string, options?: { cause?: unknown }) {
    super(
      'ERR_VIGIL_TREE_DAMAGED',
      `the tree ${what} is damaged (${problem}): the entries under it cannot be restored; ` +
        'other trees are not affected: check the repository with vigil verify',
      options,
    );
    this.what = what;
  }
}

/** Whether `tree` must, may or must not carry each key, by its node's type: the one rule both ways use. */
function expects(node: MetaNode): { content: boolean; subtree: boolean; stamp: boolean } {
  const file = node.type === 'file';
  return { content: file && node.linkTo === undefined, subtree: node.type === 'dir', stamp: file };
}

/**
 * The plaintext of the tree blob of `nodes`. They must be in strictly increasing bytewise
 * order of name and carry the keys their type needs: anything else is a programming error
 * (RangeError, TypeError), not something to write and refuse on reading.
 */
export function encodeTree(nodes: readonly TreeNode[]): Buffer {
  if (nodes.length > MAX_TREE_NODES) throw new RangeError(`a tree holds at most ${MAX_TREE_NODES} entries`);
  const records: string[] = [];
  let previous: Buffer | undefined;
  for (const entry of nodes) {
    const { node } = entry;
    if (previous !== undefined && Buffer.compare(previous, node.name) >= 0) {
      throw new RangeError(
        `tree entries must be sorted by name, unique: ${showName(node.name)} after ${showName(previous)}`,
      );
    }
    previous = node.name;
    const want = expects(node);
    for (const key of ['content', 'subtree'] as const) {
      if (want[key] !== (entry[key] !== undefined)) {
        throw new TypeError(`${showName(node.name)} (a ${node.type}) ${want[key] ? 'needs' : 'cannot have'} ${key}`);
      }
    }
    if (!want.stamp && entry.stamp !== undefined) throw new TypeError(`${showName(node.name)} is not a file: no stamp`);
    const content = entry.content ? contentJson(entry.content) : '';
    const subtree = entry.subtree ? subtreeJson(entry.subtree) : '';
    records.push(`{${nodeJsonMembers(node)}${content}${subtree}${entry.stamp ? stampJson(entry.stamp) : ''}}`);
  }
  return treeJson(records);
}

/*
 * A tree record's JSON text is written by hand, in parts, as JSON.stringify of the stored
 * record would write it (tree.test.ts holds the two equal): `{`, the node's members
 * (nodeJsonMembers), then `content`, `subtree`, `ctime` and `inode` where the entry has them,
 * `}`. A backup's workers write the parts of every entry they capture, so the main thread
 * only joins text to build a tree (tree-assembly.ts).
 */

/** A file's content refs as the record's `,"content":[...]` member. */
export function contentJson(refs: readonly ContentRef[]): string {
  return `,"content":[${refs.map((ref) => `[${ref.offset},"${formatBlobId(ref.id)}",${ref.length}]`).join(',')}]`;
}

/** A directory's subtree id as the record's `,"subtree":"..."` member. */
export function subtreeJson(id: Uint8Array): string {
  return `,"subtree":"${formatBlobId(id)}"`;
}

/** A file's change stamp as the record's `,"ctime":[...],"inode":"..."` members. */
export function stampJson(stamp: ChangeStamp): string {
  if (stamp.ino < 0n || stamp.ino > MAX_U64) throw new RangeError('an inode number is a u64');
  const [seconds, nanos] = storedTime(stamp.ctimeNs);
  return `,"ctime":[${seconds},${nanos}],"inode":"${stamp.ino}"`;
}

/** The plaintext of the tree blob of these records (each `{...}`), in name order. */
export function treeJson(records: readonly string[]): Buffer {
  return Buffer.from(`{"nodes":[${records.join(',')}]}`, 'utf8');
}

/** A problem with one entry, to be reported with the entry's place and name. */
class EntryProblem extends Error {}

function problem(text: string): never {
  throw new EntryProblem(text);
}

function blobId(value: unknown, key: string): Buffer {
  const id = typeof value === 'string' ? parseBlobId(value) : undefined;
  return id ?? problem(`"${key}" is not a blob id (64 lowercase hex digits)`);
}

/** A file's content refs, checked against its size: in order, not overlapping, each within the file. */
function contentRefs(value: unknown, size: number): ContentRef[] {
  if (!Array.isArray(value)) problem('"content" is not a list');
  const refs: ContentRef[] = [];
  let end = 0;
  for (const [i, ref] of value.entries()) {
    const key = `content[${i}]`;
    if (!Array.isArray(ref) || ref.length !== 3) problem(`"${key}" is not [offset, id, length]`);
    const [offset, id, length] = ref as unknown[];
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
      problem(`"${key}" has an offset that is not an integer from 0`);
    }
    if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 1 || length > MAX_BLOB_RAW_BYTES) {
      problem(`"${key}" has a length that is not an integer from 1 to ${MAX_BLOB_RAW_BYTES}`);
    }
    if (offset < end) problem(`"${key}" starts at ${offset}, before the end of the one before it (${end})`);
    // Compared as size - length, which stays a safe integer where offset + length may not.
    if (offset > size - length) problem(`"${key}" ends at ${offset + length}, past the file's size ${size}`);
    refs.push({ offset, id: blobId(id, key), length });
    end = offset + length;
  }
  return refs;
}

function changeStamp(ctime: unknown, inode: unknown): ChangeStamp {
  if (typeof inode !== 'string' || !DECIMAL_U64.test(inode) || BigInt(inode) > MAX_U64) {
    problem('"inode" is not the decimal string of an unsigned 64-bit integer');
  }
  return { ctimeNs: storedTimeNs(ctime, 'ctime'), ino: BigInt(inode) };
}

/**
 * The tree entry of one parsed record: the node record, then what the tree adds. With
 * `refs` false, a file's content refs and change stamp are required as the type says but not
 * decoded (what a listing shows is all checked; content is never read through it).
 */
function treeNode(record: Record<string, unknown>, refs: boolean): TreeNode {
  const node = fromStoredNode(record);
  const file = node.type === 'file';
  const entry: { -readonly [K in keyof TreeNode]: TreeNode[K] } = { node };
  // Plain calls, not a closure per entry: decoding runs once for every entry a command reads.
  if (keyFitsType(record, node, 'content', file && node.linkTo === undefined) && refs) {
    entry.content = contentRefs(record.content, node.size);
  }
  if (keyFitsType(record, node, 'subtree', node.type === 'dir')) entry.subtree = blobId(record.subtree, 'subtree');
  if ((record.ctime === undefined) !== (record.inode === undefined)) problem('"ctime" and "inode" come together');
  if (record.ctime !== undefined && keyFitsType(record, node, 'ctime', file) && refs) {
    entry.stamp = changeStamp(record.ctime, record.inode);
  }
  return entry;
}

/** Whether the record carries `key`, which its node's type must (`allowed`) or must not have; refused otherwise. */
function keyFitsType(record: Record<string, unknown>, node: MetaNode, key: string, allowed: boolean): boolean {
  const present = record[key] !== undefined;
  if (present && !allowed) problem(`a ${node.type}${node.linkTo ? ' with linkTo' : ''} has no "${key}"`);
  if (!present && allowed) problem(`a ${node.type} needs "${key}"`);
  return allowed;
}

/** How an entry is named in a message: its place, and its name when the record has one. */
function entryLabel(i: number, record: unknown): string {
  const name = (record as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? `entry ${i} ${showName(Buffer.from(name, 'base64'))}` : `entry ${i}`;
}

/**
 * The entries of a tree blob's plaintext, every field checked (docs/format-v2-trees.md,
 * "Reading a tree: the checks"). Throws TreeDamagedError naming `what` otherwise. Keys
 * this vigil does not know are ignored, so later versions can add some.
 */
export function decodeTree(plain: Buffer, what: string): TreeNode[] {
  return decodeNodes(plain, what, true);
}

/**
 * The entries of a tree blob as a listing needs them (ls, find, locating a path): every node
 * record checked as decodeTree checks it, but files come without `content` and `stamp`. About
 * a third less work per entry; never use it where content is read or compared.
 */
export function decodeTreeListing(plain: Buffer, what: string): TreeNode[] {
  return decodeNodes(plain, what, false);
}

function decodeNodes(plain: Buffer, what: string, refs: boolean): TreeNode[] {
  const damaged = (text: string, cause?: unknown) => new TreeDamagedError(what, text, { cause });
  if (plain.length > MAX_BLOB_RAW_BYTES) throw damaged(`${plain.length} bytes, above the limit of a blob`);
  if (!isUtf8(plain)) throw damaged('not UTF-8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(plain.toString('utf8'));
  } catch (error) {
    throw damaged(`not JSON: ${(error as Error).message}`, error);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw damaged('not a JSON object');
  const records = (parsed as { nodes?: unknown }).nodes;
  if (!Array.isArray(records)) throw damaged('"nodes" is not a list');
  if (records.length > MAX_TREE_NODES) throw damaged(`${records.length} entries, above the limit of ${MAX_TREE_NODES}`);
  const nodes: TreeNode[] = [];
  let previous: Buffer | undefined;
  for (let i = 0; i < records.length; i++) {
    const record: unknown = records[i];
    let entry: TreeNode;
    try {
      entry = treeNode(record as Record<string, unknown>, refs);
    } catch (error) {
      // One error type for a bad tree, naming the blob and the entry, whatever part refused it:
      // the caller reports (or skips) the whole tree; the cause keeps the record's own error.
      if (error instanceof EntryProblem) throw damaged(`${entryLabel(i, record)}: ${error.message}`);
      if (error instanceof MalformedNodeError || error instanceof UnsafeEntryNameError) {
        throw damaged(`${entryLabel(i, record)}: ${error.problem}`, error);
      }
      throw error;
    }
    const name = entry.node.name;
    if (previous !== undefined) {
      const order = Buffer.compare(previous, name);
      if (order === 0) throw damaged(`${entryLabel(i, record)}: the name appears twice`);
      if (order > 0) throw damaged(`${entryLabel(i, record)}: out of order, after ${showName(previous)}`);
    }
    previous = name;
    nodes.push(entry);
  }
  return nodes;
}
