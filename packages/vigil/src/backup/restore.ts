/**
 * Restores a format-2 snapshot under TARGET: the tree of '/' becomes TARGET, so /home/me/docs
 * comes back as TARGET/home/me/docs (as restic does).
 *
 * This thread walks the trees depth first in name order (the byte order of paths the backup
 * used to choose the first name of each hard-link group) and makes directories, symlinks,
 * FIFOs, devices and hard links itself; regular files, where the time goes, are restored in
 * batches by the workers of a pool (restore-files.ts), or here when no pool is given. Worker
 * threads share this process's descriptors, so a batch names each file's directory by the
 * descriptor this thread opened, and the directory stays open until its batches are done.
 *
 * Order, with files restored out of order by several workers:
 * - A hard link waits until every batch sent before it is done: its first name was walked
 *   before it, so it is then restored (the batches' completions are counted in order).
 * - A directory gets its metadata when its walk, its batches, its links and its
 *   subdirectories are all done, so its mtime is not moved by its children and a read-only
 *   directory can still be filled.
 *
 * Every entry is made by repo/restore-entry.ts relative to its directory's descriptor
 * (nothing outside TARGET is touched, whatever the snapshot or TARGET holds). A damaged chunk
 * fails its file alone (its temporary name is removed; nothing half-written appears).
 */
import { closeSync, constants, mkdirSync, openSync } from 'node:fs';
import type { Pool } from 'tandem/pool';
import { EngineError } from '../errors.js';
import { InFlight } from '../pool/in-flight.js';
import type { BlobReader } from '../repo/blob-reader.js';
import { metaAddon } from '../repo/meta-calls.js';
import type { MetaNode } from '../repo/metadata.js';
import type { RepositorySecrets } from '../repo/repository.js';
import { EntryRestorer, type RestoreNotice } from '../repo/restore-entry.js';
import { decodeTree, type TreeNode } from '../repo/tree.js';
import { existingLink, existingSpecial } from './restore-existing.js';
import {
  DIFFERS,
  type FileBatchOutcome,
  type FileGroup,
  type OverwriteMode,
  restoreFiles,
  TreeCache,
  writeChunks,
} from './restore-files.js';
import { findEntry, LinkSources } from './restore-links.js';
import { RestoreSelection, type Scope } from './restore-selection.js';
import restoreTasks, { type RestoreFilesResult } from './restore-tasks.js';

export type { OverwriteMode } from './restore-files.js';

export interface RestoreOptions {
  readonly reader: BlobReader;
  /** The snapshot's root tree. */
  readonly root: Buffer;
  readonly target: string;
  /** Absolute paths inside the snapshot to restore (with what they hold); empty: everything. */
  readonly only: readonly Buffer[];
  /** --include / --exclude patterns (gitignore syntax, relative to the snapshot's root). */
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  /** What to do with entries TARGET already holds (restore-files.ts). */
  readonly overwrite: OverwriteMode;
  readonly numericOwner: boolean;
  readonly report: (line: string) => void;
  readonly onNotice?: (notice: RestoreNotice) => void;
  /** Restore files on these workers; without, on this thread. */
  readonly workers?: RestoreWorkers;
}

export interface RestoreWorkers {
  readonly pool: Pool;
  /** What a worker needs to read the repository. */
  readonly secrets: RepositorySecrets;
  /** This restore: a worker keeps its view of the repository for one run. */
  readonly runId: string;
}

export interface RestoreOutcome {
  readonly restored: number;
  /** Entries TARGET already held as the snapshot records them: kept, their metadata set. */
  readonly identical: number;
  readonly failed: number;
  /** Paths asked for (`only`) that the snapshot does not hold: then nothing was restored. */
  readonly notFound: readonly string[];
}

/** A directory of the snapshot on its way into TARGET. */
interface Directory {
  readonly parent: Directory | undefined;
  /** Its record; undefined for TARGET itself, whose metadata restore leaves alone. */
  readonly node: MetaNode | undefined;
  readonly path: Buffer;
  /** Its descriptor in TARGET once made (-1 before). */
  fd: number;
  /** Whether restore made it, so nothing in it can be in the way. */
  fresh: boolean;
  /** Whether making it failed (reported once; nothing in it is restored). */
  failed: boolean;
  finish: (() => void) | undefined;
  /** Its walk, its batches and links in flight, and its subdirectories not yet done. */
  pending: number;
}

const DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY;
const SLASH = Buffer.from('/');
/**
 * A batch closes at the end of a directory once it holds this many files (enough to make a
 * worker's round trip cheap: at 48, ~1,000 batches on the /usr/share copy and 0.3 s of each
 * worker's CPU in postMessage), within one at this many files or bytes.
 */
const BATCH_FILES = 256;
const DIRECTORY_BATCH_FILES = 4096;
const BATCH_BYTES = 8 << 20;

export async function restoreTree(options: RestoreOptions): Promise<RestoreOutcome> {
  const { reader } = options;
  const notFound = await missingPaths(reader, options.root, options.only);
  if (notFound.length > 0) return { restored: 0, identical: 0, failed: 0, notFound };

  mkdirSync(options.target, { recursive: true });
  const targetFd = openSync(options.target, DIRECTORY);
  const calls = metaAddon();
  const restorer = new EntryRestorer(
    targetFd,
    { numericOwner: options.numericOwner, ...(options.onNotice ? { onNotice: options.onNotice } : {}) },
    calls,
  );
  const selection = new RestoreSelection({
    only: options.only,
    include: options.include ?? [],
    exclude: options.exclude ?? [],
  });
  const links = new LinkSources(
    reader,
    options.root,
    (path) => !selection.isPartial || selection.restores(path, false),
  );
  const counts = { restored: 0, identical: 0, failed: 0 };
  const trees = new TreeCache(reader);
  const fail = (path: Buffer | string, message: string) => {
    counts.failed++;
    options.report(`vigil: ${path.toString()}: ${message}`);
  };
  const open = new Set<Directory>();

  // Directories: made when first needed, finished when nothing of theirs is pending.
  const make = (dir: Directory): boolean => {
    if (dir.fd >= 0) return true;
    if (dir.failed || dir.parent === undefined || dir.node === undefined || !make(dir.parent)) return false;
    try {
      const made = restorer.restoreDirectory(dir.parent.fd, dir.node);
      dir.fd = made.fd;
      dir.fresh = made.created;
      dir.finish = made.finish;
      open.add(dir);
      counts.restored++;
      return true;
    } catch (error) {
      dir.failed = true;
      fail(dir.path, (error as Error).message);
      return false;
    }
  };
  const release = (dir: Directory): void => {
    if (--dir.pending > 0) return;
    if (dir.finish !== undefined) {
      open.delete(dir);
      try {
        dir.finish();
      } catch (error) {
        fail(dir.path, (error as Error).message);
      }
    }
    if (dir.parent !== undefined) release(dir.parent);
  };

  // Hard links wait for every batch sent before them (their first name is in one).
  let sent = 0;
  let doneInOrder = 0;
  const doneOutOfOrder = new Set<number>();
  const waitingLinks: { dir: Directory; path: Buffer; node: MetaNode; after: number }[] = [];
  const link = (dir: Directory, path: Buffer, node: MetaNode) => {
    try {
      if (!dir.fresh && options.overwrite !== 'always') {
        const existing = existingLink(dir.fd, node.name, targetFd, node.linkTo as Buffer);
        if (existing === 'identical') return void counts.identical++;
        if (existing === 'different' && options.overwrite === 'never') return fail(path, DIFFERS);
      }
      restorer.restoreHardLink(dir.fd, node);
      counts.restored++;
    } catch (error) {
      fail(path, (error as Error).message);
    }
  };
  const batchDone = (seq: number) => {
    doneOutOfOrder.add(seq);
    while (doneOutOfOrder.delete(doneInOrder + 1)) doneInOrder++;
    while (waitingLinks.length > 0 && (waitingLinks[0] as { after: number }).after <= doneInOrder) {
      const waiting = waitingLinks.shift() as (typeof waitingLinks)[number];
      link(waiting.dir, waiting.path, waiting.node);
      release(waiting.dir);
    }
  };

  // Files: batches of groups (some entries of one directory each), to workers or restored here.
  const inFlight = new InFlight(options.workers ? options.workers.pool.workers * 2 : 1);
  let groups: FileGroup[] = [];
  let groupDirs: Directory[] = [];
  let batchFiles = 0;
  let batchBytes = 0;
  const settle = (seq: number, dirs: Directory[], outcome: FileBatchOutcome) => {
    counts.restored += outcome.restored;
    counts.identical += outcome.identical;
    for (const failure of outcome.failures) fail(failure.path, failure.message);
    for (const dir of dirs) release(dir);
    batchDone(seq);
  };
  const flush = async () => {
    if (groups.length === 0) return;
    const batch = groups;
    const dirs = groupDirs;
    groups = [];
    groupDirs = [];
    batchFiles = 0;
    batchBytes = 0;
    const seq = ++sent;
    const workers = options.workers;
    if (workers === undefined) {
      settle(seq, dirs, await restoreFiles({ reader, trees, restorer, calls }, batch, options.overwrite));
      return;
    }
    const request = {
      secrets: workers.secrets,
      runId: workers.runId,
      targetFd,
      overwrite: options.overwrite,
      numericOwner: options.numericOwner,
      groups: batch,
    };
    inFlight.track(
      workers.pool.apply(restoreTasks.restoreFiles, [request]),
      (result: RestoreFilesResult) => {
        for (const notice of result.notices) options.onNotice?.({ ...notice, name: Buffer.from(notice.name) });
        settle(seq, dirs, result);
      },
      'a restore worker',
    );
    await inFlight.waitForRoom();
  };
  const addFile = async (dir: Directory, treeId: Buffer, position: number, size: number) => {
    const last = groups.at(-1);
    if (last !== undefined && groupDirs.at(-1) === dir) (last.entries as number[]).push(position);
    else {
      // A batch closes between directories, so two workers rarely make files in one
      // directory at once (each create and rename takes the directory's lock in the kernel).
      if (batchFiles >= BATCH_FILES) await flush();
      // Copies of their own: a Buffer may be a view of a larger pool, which would cross whole.
      const tree = new Uint8Array(treeId);
      const dirPath = new Uint8Array(dir.path);
      groups.push({ dirFd: dir.fd, dirPath, tree, fresh: dir.fresh, entries: [position] });
      groupDirs.push(dir);
      dir.pending++;
    }
    batchFiles++;
    batchBytes += size;
    if (batchBytes >= BATCH_BYTES || batchFiles >= DIRECTORY_BATCH_FILES) await flush();
  };

  const restoreOther = async (dir: Directory, path: Buffer, entry: TreeNode) => {
    const { node, content } = await links.resolve(path, entry);
    if (node.linkTo !== undefined) {
      await flush();
      if (doneInOrder >= sent) link(dir, path, node);
      else {
        dir.pending++;
        waitingLinks.push({ dir, path, node, after: sent });
      }
      return;
    }
    if (node.type === 'file') {
      // The first name met of a hard-link group whose recorded first name is not restored.
      await restorer.restoreFile(dir.fd, node, (fd) => writeChunks(reader, fd, content ?? []));
      counts.restored++;
      return;
    }
    if (!dir.fresh && options.overwrite !== 'always') {
      const existing = existingSpecial(dir.fd, node);
      if (existing === 'identical') {
        restorer.restoreMetadata(dir.fd, node);
        counts.identical++;
        return;
      }
      if (existing === 'different' && options.overwrite === 'never') return fail(path, DIFFERS);
    }
    restorer.restoreSpecial(dir.fd, node);
    counts.restored++;
  };

  const walk = async (dir: Directory, treeId: Buffer, scope: Scope): Promise<void> => {
    let nodes: TreeNode[];
    try {
      nodes = decodeTree(await reader.read(treeId, 'tree'), `of ${dir.path.toString('utf8')}`);
      if (options.workers === undefined) trees.remember(treeId.toString('latin1'), nodes);
    } catch (error) {
      fail(dir.path, `its contents cannot be restored: ${(error as Error).message}`);
      return;
    }
    for (let position = 0; position < nodes.length; position++) {
      const entry = nodes[position] as TreeNode;
      const { node } = entry;
      const path =
        dir.path.length === 1 ? Buffer.concat([SLASH, node.name]) : Buffer.concat([dir.path, SLASH, node.name]);
      const entryScope = selection.scope(path, node.type === 'dir', scope);
      if (entryScope === 'no') continue;
      if (node.type === 'dir') {
        const child: Directory = {
          parent: dir,
          node,
          path,
          fd: -1,
          fresh: false,
          failed: false,
          finish: undefined,
          pending: 1,
        };
        dir.pending++;
        if (entryScope === 'search' || make(child)) await walk(child, entry.subtree as Buffer, entryScope);
        release(child);
        continue;
      }
      if (entryScope !== 'all') continue;
      if (!make(dir)) return;
      if (node.type === 'file' && node.linkTo === undefined) {
        await addFile(dir, treeId, position, node.size);
        continue;
      }
      try {
        await restoreOther(dir, path, entry);
      } catch (error) {
        if (error instanceof EngineError) throw error;
        fail(path, (error as Error).message);
      }
    }
  };

  const root: Directory = {
    parent: undefined,
    node: undefined,
    path: SLASH,
    fd: targetFd,
    fresh: false,
    failed: false,
    finish: undefined,
    pending: 1,
  };
  try {
    await walk(root, options.root, selection.rootScope);
    await flush();
    await inFlight.drain();
    release(root);
  } catch (error) {
    // A worker failed: the restore stops. The others finish with the descriptors they were given first.
    await inFlight.drain().catch(() => {});
    for (const dir of open) calls.closeDescriptor(dir.fd);
    throw error;
  } finally {
    closeSync(targetFd);
  }
  return { ...counts, notFound: [] };
}

/** The paths of `only` that the snapshot does not hold (as text). */
async function missingPaths(reader: BlobReader, root: Buffer, only: readonly Buffer[]): Promise<string[]> {
  const missing: string[] = [];
  for (const path of only) {
    if (path.length > 1 && (await findEntry(reader, root, path.subarray(1))) === undefined) {
      missing.push(path.toString('utf8'));
    }
  }
  return missing;
}
