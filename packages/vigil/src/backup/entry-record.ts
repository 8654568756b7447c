/**
 * One captured entry as its directory's tree will record it: the JSON text of its record in
 * parts (tree.ts), written by the backup worker that captured it. The main thread then builds
 * each tree by joining text (tree-assembly.ts), adding only what it alone knows: a
 * directory's subtree id, and `linkTo` for the later names of a hard-linked file. Before, it
 * received every entry as an object (a node with Buffers, cloned across threads and revived)
 * and encoded every changed directory's entries itself: on a second backup of /usr/share
 * that was most of its time after the walk, and much of its garbage.
 */
import type { MetaNode, NodeType } from '../repo/metadata.js';
import { nodeJsonMembers } from '../repo/metadata-codec.js';
import { type ContentRef, contentJson, stampJson } from '../repo/tree.js';

export interface EntryRecord {
  readonly type: NodeType;
  /** The node record's members (nodeJsonMembers): the node's metadata. */
  readonly members: string;
  /** A file's `,"content":[...]`; empty for other types. */
  readonly content: string;
  /** A file's `,"ctime":[...],"inode":"..."`; empty for other types. */
  readonly stamp: string;
  /** A file with other hard links: `dev:ino`, by which the later names are settled. */
  readonly link?: string;
}

/** The record of `node` (as captured: its link identity and stamp are read here, never stored as such). */
export function entryRecord(node: MetaNode, content: readonly ContentRef[] | undefined): EntryRecord {
  const file = node.type === 'file';
  return {
    type: node.type,
    members: nodeJsonMembers(node),
    content: file ? contentJson(content ?? []) : '',
    stamp: file && node.stamp ? stampJson(node.stamp) : '',
    ...(node.linkIdentity ? { link: `${node.linkIdentity.dev}:${node.linkIdentity.ino}` } : {}),
  };
}
