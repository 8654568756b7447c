/**
 * One backup run into a format-2 repository: walk the sources while a worker of its own reads
 * the parent snapshot's files (parent-snapshot.ts), send the entries in batches to the workers
 * with what the parent recorded of them (the workers capture metadata, and read, chunk and
 * store what changed into packs of their own), assemble the trees, list the run's packs in an
 * index file, and commit the snapshot last. The order of a commit, and why a crash at any point is harmless:
 *
 *   1. each worker fills one pack across its batches, completing it at the target size
 *      (written under tmp/ and renamed into data/XX/, not yet fsynced); after the last batch
 *      the main thread completes the packs still being filled (run-packs.ts). A pack no index
 *      lists is invisible to readers; the next run resumes from it (resume.ts), or prune
 *      removes it.
 *   2. the main thread stores the trees (into its own pack, the same way), then flushes the
 *      file system once (syncfs; an fsync per pack and folder without the addon): every pack
 *      of the run is durable, contents and name;
 *   3. one index file lists every pack of the run, written durably (after the packs are);
 *   4. the snapshot file is written to tmp/, fsynced and renamed into snapshots/: the commit.
 *
 * Killed before 4, no snapshot lists anything of this run and earlier ones are untouched
 * (nothing they reference was changed); what is left is in tmp/ (removed by the next run) or
 * packs and index entries no snapshot references (removed by the next prune).
 */
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { type Pool, WorkerExitError } from 'tandem/pool';
import type { TaskRef } from 'tandem/tasks';
import { nowNs } from '../baseline/fast-path.js';
import { BackupAbortedError } from '../errors.js';
import { FILES_PER_BATCH } from '../fs/batch-reads.js';
import { FileListBuilder } from '../fs/file-list.js';
import type { ReadingCounter } from '../fs/reading-bytes.js';
import { PathFlag } from '../fs/records.js';
import type { WalkAhead } from '../fs/walk-ahead.js';
import { InFlight } from '../pool/in-flight.js';
import { holdYoungGenerations } from '../pool/young-generation.js';
import { BlobWriter } from '../repo/blob-writer.js';
import type { BlobCodec, CompressionMode } from '../repo/compression.js';
import { IndexFileBuilder, writeIndexFile } from '../repo/index-file.js';
import { packName, publishPacks } from '../repo/pack-writer.js';
import type { Repository } from '../repo/repository.js';
import { MAX_UNREADABLE_LISTED, type Snapshot, type SnapshotStats, snapshotTime } from '../repo/snapshot-file.js';
import { writeSnapshot } from '../repo/snapshot-store.js';
import { backupWalk } from './backup-walk.js';
import type { CheckpointHook } from './checkpoints.js';
import { type ParentCache, RunParentRows } from './parent-cache.js';
import { ParentFilesArrival, type ParentReader } from './parent-in-worker.js';
import type { StoreEntriesResult } from './protocol.js';
import { reviveOpenPack } from './protocol.js';
import type { ResumedPacks } from './resume.js';
import { OpenPackLedger } from './run-packs.js';
import { startRun } from './run-start.js';
import { largerThan } from './size-limit.js';
import { decodeStoredEntries } from './stored-entries.js';
import tasks, { type StoreEntriesTask } from './tasks.js';
import { TreeAssembly } from './tree-assembly.js';

/** What a run reports as it goes (the command's progress bar and stderr). */
export interface BackupProgress {
  found(count: number): void;
  walkDone(): void;
  fileDone(bytes: number, newBytes: number): void;
  log(line: string): void;
  stop(): void;
}

/** Batches the walk may make before the parent snapshot's files are read (about 256 entries each). */
const MAX_HELD_BATCHES = 256;

export interface RunBackupOptions {
  readonly repo: Repository;
  readonly codec: BlobCodec;
  /** Absolute source paths. */
  readonly sources: readonly string[];
  readonly excludes: readonly string[];
  /** Leave out cache directories' contents (--exclude-caches). */
  readonly excludeCaches?: boolean | undefined;
  /** Leave out files larger than this many bytes (--exclude-larger-than). */
  readonly maxFileSize?: number | undefined;
  readonly tags: readonly string[];
  readonly compression: CompressionMode;
  readonly pool: Pool;
  readonly progress: BackupProgress;
  readonly reading?: ReadingCounter | undefined;
  /** Throws if the run lost its lock (lock.ts's assertHeld): called before the index and the commit. */
  readonly assertLocked?: (() => void | Promise<void>) | undefined;
  /** Awaited at each checkpoint (tests stop the run there). */
  readonly checkpoint?: CheckpointHook | undefined;
  /** The worker task to run (default: tasks.ts's storeEntries; tests give one that observes reads). */
  readonly storeEntries?: TaskRef<StoreEntriesTask> | undefined;
  /** Pack size to close at (tests make small packs to have many). */
  readonly packTargetBytes?: number | undefined;
  /**
   * Called once no batch is in flight and none will be sent: the command ends its pool there,
   * so that the workers' heaps are given back before the trees are built (the run's peak).
   */
  readonly workersDone?: (() => Promise<void>) | undefined;
  /**
   * The worker to read the parent snapshot's files in, started by the command before it opened
   * the repository (parent-in-worker.ts); closed by the run. Default: one started when needed.
   */
  readonly parentReader?: ParentReader | undefined;
  /** Where the parent's files are kept between runs (parent-cache.ts); none: always read from its trees. */
  readonly parentCache?: ParentCache | undefined;
  /**
   * The walk of the sources, started by the command before it opened the repository
   * (`backupWalk` of the repository's location; fs/walk-ahead.ts). Default: walked here.
   */
  readonly walked?: WalkAhead | undefined;
  /** The time to record (backup --time), ns since the epoch; default: the run's start. */
  readonly recordedTimeNs?: bigint | undefined;
}

export interface BackupOutcome {
  readonly id: string;
  readonly snapshot: Snapshot;
  /** Index files or snapshots that could not be read (named on stderr; the run went on without them). */
  readonly damaged: readonly string[];
  /** Packs under data/ that no index lists when the run started and that could not be resumed from: for prune. */
  readonly unlistedPacks: number;
  /** What an interrupted run had stored, taken over by this one (resume.ts). */
  readonly resumed: ResumedPacks;
  /** Directories whose tree the parent snapshot's was reused for, and those encoded anew. */
  readonly trees: { readonly reused: number; readonly encoded: number };
  /** Where the parent's files came from: its trees, or the cache (none: no parent). */
  readonly parentFrom: 'trees' | 'cache' | undefined;
}

export async function runBackup(options: RunBackupOptions): Promise<BackupOutcome> {
  const { repo, pool, progress } = options;
  const startNs = nowNs();
  const checkpoint = options.checkpoint ?? (async () => {});
  const runId = randomBytes(8).toString('hex');
  const marker = `tmp/backup-${runId}.running`;
  const { loaded, resumed, unlistedPacks, parent, damaged } = await startRun(repo, options.sources, marker);
  for (const line of damaged) progress.log(`vigil: ${line}`);
  const knownBlobs = loaded.index.shareIds();
  const rows = options.parentCache && new RunParentRows(options.parentCache, options.sources);
  // From the cache, or read by a worker while this thread walks; batches wait for them (send below).
  const parentFiles = ParentFilesArrival.of(parent, {
    cache: options.parentCache,
    sources: options.sources,
    request: (root, label) => ({ secrets: repo.secrets, knownBlobs, runId, index: loaded.index.share(), root, label }),
    onDamaged: (line) => {
      damaged.push(line);
      progress.log(`vigil: ${line}`);
    },
    reader: options.parentReader,
  });

  const stats: SnapshotStats = {
    files: 0,
    dirs: 0,
    symlinks: 0,
    others: 0,
    totalBytes: 0,
    newBytes: 0,
    newBlobs: 0,
    storedBytes: 0,
  };
  const unreadable: string[] = [];
  let unreadableCount = 0;
  const noteUnreadable = (path: Buffer, message: string) => {
    unreadableCount++;
    if (unreadable.length < MAX_UNREADABLE_LISTED) unreadable.push(path.toString('utf8'));
    progress.log(`vigil: ${path.toString('utf8')}: ${message}`);
  };
  const assembly = new TreeAssembly();
  // The run's packs as its index file lists them (encoded as they come: not kept as objects).
  const packs = new IndexFileBuilder();

  const openPacks = new OpenPackLedger();
  const onResult = (paths: readonly Buffer[], result: StoreEntriesResult) => {
    // Without a parent every file is read and stored: the run whose peak is the highest. From its
    // first results on, the heaps keep their size (young-generation.ts). A run with a parent
    // reads little, and holding them only cost it CPU (6%, for 9 MB less).
    if (parent === undefined) holdYoungGenerations();
    for (const pack of result.packs) packs.add(pack);
    rows?.add(result.parentRows);
    openPacks.note({ completed: result.completed, ...(result.open ? { open: reviveOpenPack(result.open) } : {}) });
    decodeStoredEntries(result.entries).forEach((entry, i) => {
      const path = paths[i] as Buffer;
      if (!entry.ok) {
        // Gone since the walk listed it: not an error, the entry is simply not in the snapshot.
        if (entry.vanished) progress.log(`vigil: ${path.toString('utf8')}: vanished during the backup`);
        else noteUnreadable(path, entry.message);
        progress.fileDone(0, 0);
        return;
      }
      const { type } = entry.record;
      if (type === 'file') {
        stats.files++;
        stats.totalBytes += entry.dataBytes;
        stats.newBytes += entry.newBytes;
        stats.storedBytes += entry.storedBytes;
        stats.newBlobs += entry.newBlobs;
        progress.fileDone(entry.size, entry.newBytes);
      } else if (type === 'dir') stats.dirs++;
      else if (type === 'symlink') stats.symlinks++;
      else {
        stats.others++;
        if (entry.skipped) progress.log(`vigil: ${path.toString('utf8')}: ${entry.skipped}`);
      }
      assembly.add(path, entry.record);
    });
  };

  const inFlight = new InFlight(pool.workers * 2);
  const request = {
    secrets: repo.secrets,
    knownBlobs,
    runId,
    compression: options.compression,
    parentTimeNs: (parent?.snapshot.timeNs ?? 0n).toString(),
    ...(options.reading ? { reading: options.reading } : {}),
    ...(options.packTargetBytes ? { packTargetBytes: options.packTargetBytes } : {}),
    ...(rows ? { parentRows: true } : {}),
  };
  let batch = new FileListBuilder();
  /** Batches made before the parent's files were read: sent once they are. */
  const held: FileListBuilder[] = [];
  let batchesSent = 0;
  const submit = (full: FileListBuilder) => {
    const paths = full.paths;
    inFlight.track(
      pool.apply(options.storeEntries ?? tasks.storeEntries, [
        { ...request, list: full.build(), parents: parentFiles.recordsFor(paths) },
      ]),
      (result) => onResult(paths, result),
      'a backup worker',
    );
    batchesSent++;
  };
  const sendHeld = async () => {
    await parentFiles.arrived.catch((error: Error) => {
      throw abortion(error);
    });
    for (const full of held.splice(0)) {
      if (batchesSent === 1 && options.checkpoint) {
        await inFlight.drain().catch(() => {});
        await checkpoint('after-first-batch');
      }
      submit(full);
      await inFlight.waitForRoom().catch((error: Error) => {
        throw abortion(error);
      });
    }
  };
  const send = async () => {
    held.push(batch);
    batch = new FileListBuilder();
    // The walk goes on while the parent's files are read, up to a bound on what it holds.
    if (!parentFiles.here && held.length < MAX_HELD_BATCHES) return;
    await sendHeld();
  };
  const enqueue = (path: Buffer, base: number, flags: number) => batch.add(path, flags, base);

  // The directories above each source are recorded with their own metadata (as restic does),
  // so a restore recreates /home/me with its owner and mode, not root's defaults.
  for (const dir of ancestorsOf(options.sources)) enqueue(Buffer.from(dir), 0, PathFlag.follow);

  const walked =
    options.walked?.blocks() ??
    backupWalk(repo.root, options.sources, options.excludes, options.excludeCaches === true);
  const tooLarge = largerThan(options.maxFileSize);
  let base = 0;
  for await (const entries of walked) {
    let found = 0;
    for (const entry of entries) {
      if (entry.kind === 'file' || entry.kind === 'directory') base = entry.base;
      if (entry.kind === 'error') {
        noteUnreadable(entry.path, entry.message);
        continue;
      }
      if (entry.kind === 'file') {
        if (tooLarge(entry.path)) continue;
        found++;
        enqueue(entry.path, entry.base, entry.follow ? PathFlag.follow : 0);
      } else if (entry.kind === 'directory') {
        // '/' itself is the root tree, not an entry in it.
        if (!(entry.path.length === 1 && entry.path[0] === 0x2f)) enqueue(entry.path, entry.base, 0);
      } else enqueue(entry.path, base, 0); // links, FIFOs, devices, sockets: captured as what they are
      if (batch.size >= FILES_PER_BATCH) await send();
    }
    progress.found(found);
    // A worker without work gets what there is (once batches can go: until then, they fill up).
    if (batch.size > 0 && parentFiles.here && inFlight.count < pool.workers) await send();
  }
  if (batch.size > 0) held.push(batch);
  await sendHeld();
  progress.walkDone();
  await inFlight.drain().catch((error: Error) => {
    throw abortion(error);
  });
  parentFiles.drop(); // every batch has its records: the table's memory can go
  await options.workersDone?.();
  // No batch is in flight: the packs the workers were filling are theirs no more.
  for (const pack of await publishPacks(repo.storage, openPacks.complete(repo.sealer), { durable: false })) {
    packs.add(pack);
  }
  await checkpoint('objects-stored');

  const treeWriter = new BlobWriter({
    storage: repo.storage,
    sealer: repo.sealer,
    ids: repo.ids,
    codec: options.codec,
    compression: options.compression,
    known: (id) => loaded.index.has(id),
    durable: false,
  });
  const built = assembly.build((plain) => treeWriter.store('tree', plain));
  for (const pack of await treeWriter.takePacks()) packs.add(pack);
  for (const orphan of built.orphans) {
    noteUnreadable(Buffer.from(orphan, 'latin1'), 'not recorded: a directory above it could not be read');
  }
  // One flush makes every pack of the run durable, contents and names, before an index lists them.
  await repo.storage.flush(packs.packIds.map(packName));
  await options.assertLocked?.();
  if (packs.packIds.length > 0) await writeIndexFile(repo.storage, repo.sealer, packs);

  const snapshot: Snapshot = {
    version: 1,
    time: snapshotTime(options.recordedTimeNs ?? startNs),
    timeNs: options.recordedTimeNs ?? startNs,
    host: hostname(),
    ...userName(),
    sources: options.sources,
    tags: options.tags,
    tree: built.root,
    ...(parent ? { parent: parent.id } : {}),
    stats,
    incomplete: unreadableCount > 0,
    unreadableCount,
    unreadable,
  };
  await checkpoint('before-commit');
  await options.assertLocked?.();
  const id = await writeSnapshot(repo, snapshot);
  await checkpoint('after-commit');
  try {
    rows?.commit(id, built);
  } catch (error) {
    progress.log(
      `vigil: the parent cache was not written (${(error as Error).message}): the next backup reads the trees`,
    );
  }
  await repo.storage.remove(marker, { durable: false });
  return {
    id,
    snapshot,
    damaged,
    unlistedPacks,
    resumed,
    trees: { reused: built.reused, encoded: built.encoded },
    parentFrom: parentFiles.from,
  };
}

/** Every directory above a source ('/home', '/home/me' for '/home/me/docs'), each once, outermost first. */
function ancestorsOf(sources: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const source of sources) {
    for (let i = source.indexOf('/', 1); i > 0; i = source.indexOf('/', i + 1)) dirs.add(source.slice(0, i));
  }
  return [...dirs].sort();
}

function abortion(failure: Error): BackupAbortedError {
  const error = failure.cause instanceof Error ? failure.cause : failure;
  const what =
    error instanceof WorkerExitError
      ? `a backup worker died (${error.message})`
      : `a backup worker failed (${error.message})`;
  return new BackupAbortedError(
    `${what}: the backup was abandoned and no snapshot was written; earlier snapshots are intact, ` +
      'and the next run removes what this one left',
    { cause: error },
  );
}

function userName(): { user?: string } {
  try {
    return { user: userInfo().username };
  } catch {
    return {};
  }
}
