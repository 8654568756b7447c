/**
 * Hard links on restore. Restoring everything, a group's first name is always restored
 * before its other names (depth-first name order is the backup's order of names), so a
 * later name is a link to it. Restoring some paths, the first name may lie outside them:
 * the first name of the group met here is then restored as a file with the group's content
 * (found in the trees), and the group's other names link to it.
 */
import type { BlobReader } from '../repo/blob-reader.js';
import { decodeTree, type TreeNode } from '../repo/tree.js';

const SLASH = Buffer.from('/');

export class LinkSources {
  /** First name recorded (latin1, relative to '/') -> the name restored in its place. */
  readonly #moved = new Map<string, Buffer>();

  constructor(
    private readonly reader: BlobReader,
    private readonly root: Buffer,
    /** Whether the entry at this absolute snapshot path is restored. */
    private readonly restored: (path: Buffer) => boolean,
  ) {}

  /** The node to restore at `path`: as recorded, or re-pointed, or made a file of its own. */
  async resolve(path: Buffer, entry: TreeNode): Promise<{ node: TreeNode['node']; content?: TreeNode['content'] }> {
    const linkTo = entry.node.linkTo;
    if (linkTo === undefined || this.restored(Buffer.concat([SLASH, linkTo]))) return entry;
    const moved = this.#moved.get(linkTo.toString('latin1'));
    if (moved !== undefined) return { node: { ...entry.node, linkTo: moved } };
    const found = await findEntry(this.reader, this.root, linkTo);
    if (found?.content === undefined)
      throw new Error(`its hard-link source /${linkTo.toString('utf8')} is not in the snapshot`);
    this.#moved.set(linkTo.toString('latin1'), path.subarray(1));
    const { linkTo: _, ...node } = entry.node;
    return { node: { ...node, size: found.node.size }, content: found.content };
  }
}

/** The entry at `path` (relative to '/', components separated by '/'), read down the trees. */
export async function findEntry(reader: BlobReader, root: Buffer, path: Buffer): Promise<TreeNode | undefined> {
  let tree = root;
  const parts = path.toString('latin1').split('/');
  for (let i = 0; i < parts.length; i++) {
    const name = Buffer.from(parts[i] as string, 'latin1');
    const nodes = decodeTree(await reader.read(tree, 'tree'), `above /${path.toString('utf8')}`);
    const entry = nodes.find((n) => n.node.name.equals(name));
    if (entry === undefined) return undefined;
    if (i === parts.length - 1) return entry;
    if (entry.subtree === undefined) return undefined;
    tree = entry.subtree;
  }
  return undefined;
}
