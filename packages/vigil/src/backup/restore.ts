/**
 * Restores a format-2 snapshot under TARGET: the tree of '/' becomes TARGET, so /home/me/docs
 * comes back as TARGET/home/me/docs (as restic does).
 *
 * The trees are walked depth first in name order, which is the byte order of paths the backup
 * used to choose the first name of each hard-link group, so a link's source is always
 * restored before the link. Every entry is made by repo/restore-entry.ts relative to its
 * directory's descriptor (nothing outside TARGET is touched, whatever the snapshot or TARGET
 * holds). A file's chunks are read through the BlobReader, which checks each against its id,
 * and written at their offsets into a file cut to the recorded size: holes stay holes, and a
 * damaged chunk fails that file alone (its temporary name is removed; nothing half-written
 * appears). A directory gets its metadata after its contents.
 */
import { closeSync, constants, lstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { isWithin } from '../fs/containment.js';
import { procPath } from '../fs/proc-fd.js';
import type { BlobReader } from '../repo/blob-reader.js';
import { showName } from '../repo/meta-errors.js';
import { EntryRestorer, type RestoreNotice } from '../repo/restore-entry.js';
import { decodeTree, type TreeNode } from '../repo/tree.js';

export interface RestoreOptions {
  readonly reader: BlobReader;
  /** The snapshot's root tree. */
  readonly root: Buffer;
  readonly target: string;
  /** Absolute paths inside the snapshot to restore (with what they hold); empty: everything. */
  readonly only: readonly Buffer[];
  /** Replace entries that exist in TARGET (default: such an entry fails and is named). */
  readonly overwrite: boolean;
  readonly numericOwner: boolean;
  readonly report: (line: string) => void;
  readonly onNotice?: (notice: RestoreNotice) => void;
}

export interface RestoreOutcome {
  readonly restored: number;
  readonly failed: number;
  /** Paths asked for (`only`) that the snapshot does not hold. */
  readonly notFound: readonly string[];
}

const DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY;
const SLASH = Buffer.from('/');

export async function restoreTree(options: RestoreOptions): Promise<RestoreOutcome> {
  mkdirSync(options.target, { recursive: true });
  const targetFd = openSync(options.target, DIRECTORY);
  const restorer = new EntryRestorer(targetFd, {
    numericOwner: options.numericOwner,
    ...(options.onNotice ? { onNotice: options.onNotice } : {}),
  });
  const counts = { restored: 0, failed: 0 };
  const found = new Set<string>();
  const fail = (path: Buffer, message: string) => {
    counts.failed++;
    options.report(`vigil: ${path.toString('utf8')}: ${message}`);
  };

  /** Whether `path` is asked for: inside a chosen path, or on the way to one. */
  const wanted = (path: Buffer): 'all' | 'way' | 'no' => {
    if (options.only.length === 0) return 'all';
    let way = false;
    for (const chosen of options.only) {
      if (isWithin(path, chosen)) {
        found.add(chosen.toString('latin1'));
        return 'all';
      }
      if (isWithin(chosen, path)) way = true;
    }
    return way ? 'way' : 'no';
  };

  const links = new LinkSources(
    options.reader,
    options.root,
    (path) => options.only.length === 0 || options.only.some((p) => isWithin(path, p)),
  );
  /** `fresh`: the directory was made by this restore, so nothing in it can be in the way. */
  const restoreDir = async (
    dirFd: number,
    dirPath: Buffer,
    treeId: Buffer,
    all: boolean,
    fresh: boolean,
  ): Promise<void> => {
    let nodes: TreeNode[];
    try {
      nodes = decodeTree(options.reader.read(treeId, 'tree'), `of ${dirPath.toString('utf8')}`);
    } catch (error) {
      fail(dirPath, `its contents cannot be restored: ${(error as Error).message}`);
      return;
    }
    for (const entry of nodes) {
      const path =
        dirPath.length === 1
          ? Buffer.concat([SLASH, entry.node.name])
          : Buffer.concat([dirPath, SLASH, entry.node.name]);
      const scope = all ? 'all' : wanted(path);
      if (scope === 'no') continue;
      if (scope === 'way' && entry.node.type !== 'dir') continue;
      try {
        if (entry.node.type === 'dir') {
          const dir = restorer.restoreDirectory(dirFd, entry.node);
          try {
            await restoreDir(dir.fd, path, entry.subtree as Buffer, scope === 'all', dir.created);
          } finally {
            dir.finish();
          }
          counts.restored++;
          continue;
        }
        if (!options.overwrite && !fresh && exists(dirFd, entry.node.name)) {
          fail(path, 'exists in the target: left as it is (restore with --overwrite to replace it)');
          continue;
        }
        const { node, content } = links.resolve(path, entry);
        await restorer.restoreEntry(
          dirFd,
          node,
          content === undefined ? undefined : (fd) => writeChunks(options.reader, fd, content),
        );
        counts.restored++;
      } catch (error) {
        fail(path, (error as Error).message);
      }
    }
  };

  try {
    await restoreDir(targetFd, SLASH, options.root, options.only.length === 0, false);
  } finally {
    closeSync(targetFd);
  }
  const notFound = options.only.filter((p) => !found.has(p.toString('latin1'))).map((p) => p.toString('utf8'));
  return { ...counts, notFound };
}

/**
 * Where each later name of a hard-link group links to. Restoring everything, the group's first
 * name is always restored before (depth-first order is the backup's order of names). Restoring
 * some paths, the first name may lie outside them: the first name of the group met here is
 * then restored as a file with the group's content (found in the trees), and the others
 * link to it.
 */
class LinkSources {
  /** First name recorded (latin1, relative to '/') -> the name restored in its place. */
  readonly #moved = new Map<string, Buffer>();

  constructor(
    private readonly reader: BlobReader,
    private readonly root: Buffer,
    private readonly restored: (path: Buffer) => boolean,
  ) {}

  /** The node to restore at `path`: as recorded, or re-pointed, or made a file of its own. */
  resolve(path: Buffer, entry: TreeNode): { node: TreeNode['node']; content?: TreeNode['content'] } {
    const linkTo = entry.node.linkTo;
    if (linkTo === undefined || this.restored(Buffer.concat([SLASH, linkTo]))) return entry;
    const moved = this.#moved.get(linkTo.toString('latin1'));
    if (moved !== undefined) return { node: { ...entry.node, linkTo: moved } };
    const found = findEntry(this.reader, this.root, linkTo);
    if (found?.content === undefined)
      throw new Error(`its hard-link source /${linkTo.toString('utf8')} is not in the snapshot`);
    this.#moved.set(linkTo.toString('latin1'), path.subarray(1));
    const { linkTo: _, ...node } = entry.node;
    return { node: { ...node, size: found.node.size }, content: found.content };
  }
}

/** The entry at `path` (relative to '/', components separated by '/'), read down the trees. */
function findEntry(reader: BlobReader, root: Buffer, path: Buffer): TreeNode | undefined {
  let tree = root;
  const parts = path.toString('latin1').split('/');
  for (let i = 0; i < parts.length; i++) {
    const name = Buffer.from(parts[i] as string, 'latin1');
    const nodes = decodeTree(reader.read(tree, 'tree'), `above /${path.toString('utf8')}`);
    const entry = nodes.find((n) => n.node.name.equals(name));
    if (entry === undefined) return undefined;
    if (i === parts.length - 1) return entry;
    if (entry.subtree === undefined) return undefined;
    tree = entry.subtree;
  }
  return undefined;
}

/** Each chunk read (and checked against its id) and written at its offset; returns where the last one ends. */
function writeChunks(reader: BlobReader, fd: number, content: NonNullable<TreeNode['content']>): number {
  for (const ref of content) {
    const bytes = reader.readChunk(ref.id, ref.length);
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, ref.offset + done);
  }
  const last = content.at(-1);
  return last === undefined ? 0 : last.offset + last.length;
}

function exists(dirFd: number, name: Buffer): boolean {
  try {
    lstatSync(procPath(dirFd, name));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new Error(`cannot look at ${showName(name)} in the target (${(error as Error).message})`);
  }
}
