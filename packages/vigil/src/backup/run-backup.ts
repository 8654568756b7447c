/**
 * One backup run: walk the sources, send files in batches to the workers (which stat, hash
 * and copy them), record every entry, and commit the snapshot only once all its objects are
 * durable. The order of a commit:
 *
 *   1. workers write each new object under a temp name in REPO/tmp/<run>/w-<worker>/
 *      (content met twice in the run is stored once: the main thread drops the second temp)
 *   2. once all are written, the file system is flushed once (syncfs), then the workers
 *      rename the temp objects into objects/ab/ and the file system is flushed again, so
 *      the renames are durable (where syncfs is missing: an fsync per object, per directory)
 *   3. the record is written to REPO/tmp/<run>/record and fsynced
 *   4. it is renamed to REPO/snapshots/<id>.jsonl.gz and the snapshots directory fsynced
 *
 * Killed before 4, the snapshot does not exist and earlier ones are untouched; what is
 * left is under tmp/ (removed next run) or objects nobody references (pruned next run).
 * A worker that dies aborts the run the same way: no snapshot.
 */
import { randomBytes } from 'node:crypto';
import { type BigIntStats, mkdirSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { type Pool, WorkerExitError } from 'tandem';
import type { TaskRef } from 'tandem/tasks';
import { nowNs } from '../baseline/fast-path.js';
import { BackupAbortedError } from '../errors.js';
import { FILES_PER_BATCH } from '../fs/batch-reads.js';
import { relativeInside } from '../fs/containment.js';
import { FileListBuilder } from '../fs/file-list.js';
import type { ReadingCounter } from '../fs/reading-bytes.js';
import { PathFlag } from '../fs/records.js';
import { walk } from '../fs/walk.js';
import { InFlight } from '../pool/in-flight.js';
import type { CheckpointHook } from './checkpoints.js';
import { flushFileSystem, fsyncDirectory, fsyncPath } from './durable.js';
import type { Repository } from './repository.js';
import {
  EntryLog,
  MAX_UNREADABLE_LISTED,
  readEntries,
  SNAPSHOT_SUFFIX,
  type SnapshotEntry,
  type SnapshotHeader,
  writeRecord,
} from './snapshot-record.js';
import { listSnapshots, type SnapshotRef } from './snapshots.js';
import type { ParentRecord, StoreBatchResult } from './store-protocol.js';
import tasks, { type StoreBatchTask } from './store-tasks.js';

export interface BackupProgress {
  found(count: number): void;
  walkDone(): void;
  fileDone(bytes: number, newBytes: number): void;
  log(line: string): void;
  stop(): void;
}

export interface RunBackupOptions {
  readonly repo: Repository;
  /** Absolute source paths. */
  readonly sources: readonly string[];
  readonly excludes: readonly string[];
  readonly tags: readonly string[];
  readonly pool: Pool;
  readonly progress: BackupProgress;
  /** Where workers count what they have read of big files, for the progress bar (worker threads only). */
  readonly reading?: ReadingCounter | undefined;
  /** The worker task to run (default: store-tasks.ts's storeBatch; tests give one that observes reads). */
  readonly storeBatch?: TaskRef<StoreBatchTask> | undefined;
  /** Awaited at each checkpoint (tests stop the run there). */
  readonly checkpoint?: CheckpointHook | undefined;
}

interface Totals {
  files: number;
  dirs: number;
  symlinks: number;
  totalBytes: number;
  newBytes: number;
  newObjects: number;
  unreadableCount: number;
  unreadable: string[];
}

export async function runBackup(options: RunBackupOptions): Promise<SnapshotHeader> {
  const { repo, pool, progress } = options;
  const startNs = nowNs();
  const started = new Date(Number(startNs / 1_000_000n));
  const id = randomBytes(4).toString('hex');
  const tempDir = join(repo.tmpDir, id);
  mkdirSync(tempDir);

  const noObjectsYet = repo.hasNoObjects();
  const parent = findParent(listSnapshots(repo), options.sources);
  const parents = parent ? loadParentRecords(parent) : new Map<string, ParentRecord>();
  const log = new EntryLog(join(tempDir, 'entries.gz'));
  const totals: Totals = {
    files: 0,
    dirs: 0,
    symlinks: 0,
    totalBytes: 0,
    newBytes: 0,
    newObjects: 0,
    unreadableCount: 0,
    unreadable: [],
  };
  const touchedPrefixes = new Set<string>();
  /** New objects of this run, written but not yet flushed or named: hash -> temp path. */
  const pendingObjects = new Map<string, string>();
  const storedThisRun = new Set<string>();
  const unreadable = (path: Buffer, message: string) => {
    totals.unreadableCount++;
    if (totals.unreadable.length < MAX_UNREADABLE_LISTED) totals.unreadable.push(path.toString('utf8'));
    progress.log(`vigil: ${path.toString('utf8')}: ${message}`);
  };

  const inFlight = new InFlight(pool.workers * 2);
  const checkpoint = options.checkpoint ?? (async () => {});

  const onResult = (paths: readonly Buffer[], result: StoreBatchResult) => {
    result.files.forEach((file, i) => {
      const path = paths[i] as Buffer;
      if (file.status === 'failed') {
        unreadable(path, file.message);
        progress.fileDone(0, 0);
        return;
      }
      if (file.status === 'notRegular') {
        progress.log(`vigil: ${path.toString('utf8')}: skipped (no longer a regular file)`);
        progress.fileDone(0, 0);
        return;
      }
      totals.files++;
      totals.totalBytes += file.size;
      if (file.status === 'stored') {
        if (!storedThisRun.has(file.hash)) {
          storedThisRun.add(file.hash);
          if (file.temp !== undefined) pendingObjects.set(file.hash, file.temp);
          totals.newBytes += file.size;
          totals.newObjects++;
          touchedPrefixes.add(file.hash.slice(0, 2));
        } else if (file.temp !== undefined) {
          // New content met twice in this run (a copy of a file, or two workers at once):
          // objects are named only at the end, so the worker could not see the first one.
          // Drop the second copy now, before the flush would write it to disk for nothing
          // (unlinking a flushed file costs a journal commit: ~0.7 ms each, measured).
          unlinkSync(file.temp);
        }
      }
      progress.fileDone(file.size, file.status === 'stored' ? file.size : 0);
      const { status: _, temp: _temp, ...stat } = file;
      log.add({ path, type: 'file', ...stat });
    });
  };

  const submit = (batch: FileListBuilder, batchParents: (ParentRecord | null)[]) => {
    const request = {
      repo: repo.root,
      tempDir,
      list: batch.build(),
      parents: batchParents,
      parentTimeNs: parent?.header.timeNs ?? '0',
      noObjectsYet,
      ...(options.reading ? { reading: options.reading } : {}),
    };
    const paths = batch.paths;
    inFlight.track(
      pool.apply(options.storeBatch ?? tasks.storeBatch, [request]),
      (result) => onResult(paths, result),
      'a backup worker',
    );
  };

  const excludes = [...options.excludes, ...repositoryExcludes(repo.root, options.sources)];
  let batch = new FileListBuilder();
  let batchParents: (ParentRecord | null)[] = [];
  let batchesSent = 0;
  const send = async () => {
    if (batchesSent === 1 && options.checkpoint) {
      // For the checkpoint to mean what it says: one batch's objects are in the repository, no more.
      await inFlight.drain().catch(() => {});
      await checkpoint('after-first-batch');
    }
    submit(batch, batchParents);
    batchesSent++;
    batch = new FileListBuilder();
    batchParents = [];
    await waitForRoom(inFlight);
  };
  const operands = options.sources.map((s) => Buffer.from(s));
  const walkOptions = { follow: false, oneFileSystem: false, excludes, directories: true, linkDetails: true };
  for await (const entries of walk(operands, walkOptions)) {
    let found = 0;
    for (const entry of entries) {
      if (entry.kind === 'file') {
        found++;
        batch.add(entry.path, entry.follow ? PathFlag.follow : 0, entry.base);
        batchParents.push(parents.get(entry.path.toString('latin1')) ?? null);
        if (batch.size >= FILES_PER_BATCH) await send();
      } else if (entry.kind === 'directory') {
        log.add(recordOf(entry.path, 'dir', entry.stat));
        totals.dirs++;
      } else if (entry.kind === 'skipped' && entry.link) {
        log.add({ ...recordOf(entry.path, 'symlink', entry.link.stat), target: entry.link.target });
        totals.symlinks++;
      } else if (entry.kind === 'skipped') {
        progress.log(`vigil: ${entry.path.toString('utf8')}: skipped ${entry.reason}`);
      } else {
        unreadable(entry.path, entry.message);
      }
    }
    progress.found(found);
    // Workers idle while a partial batch waits for the walk: send it now.
    if (batch.size > 0 && inFlight.count < pool.workers) await send();
  }
  if (batch.size > 0) submit(batch, batchParents);
  progress.walkDone();
  await inFlight.drain().catch((error: Error) => {
    throw abortion(error.cause instanceof Error ? error.cause : error);
  });
  await checkpoint('objects-stored');
  log.finish();

  flushFileSystem(repo.root, () => {
    for (const temp of pendingObjects.values()) fsyncPath(temp);
  });
  await nameObjects(pool, repo.root, pendingObjects);
  flushFileSystem(repo.root, () => {
    for (const prefix of touchedPrefixes) fsyncDirectory(join(repo.objectsDir, prefix));
  });
  const header: SnapshotHeader = {
    format: 1,
    id,
    time: started.toISOString(),
    timeNs: startNs.toString(),
    host: hostname(),
    sources: options.sources,
    tags: options.tags,
    ...(parent ? { parent: parent.header.id } : {}),
    ...totals,
    incomplete: totals.unreadableCount > 0,
  };
  await checkpoint('before-commit');
  const recordTemp = join(tempDir, 'record');
  writeRecord(recordTemp, header, log);
  renameSync(recordTemp, join(repo.snapshotsDir, `${id}${SNAPSHOT_SUFFIX}`));
  fsyncDirectory(repo.snapshotsDir);
  await checkpoint('after-commit');
  rmSync(tempDir, { recursive: true, force: true });
  return header;
}

/**
 * Renames every flushed temp object to its final name, on the workers: tens of thousands of
 * renames are a quarter of a second of system time on one thread.
 */
async function nameObjects(pool: Pool, repo: string, pending: ReadonlyMap<string, string>): Promise<void> {
  const all = [...pending];
  const perTask = Math.max(1024, Math.ceil(all.length / pool.workers));
  const batches: [string, string][][] = [];
  for (let i = 0; i < all.length; i += perTask) batches.push(all.slice(i, i + perTask));
  await Promise.all(batches.map((objects) => pool.apply(tasks.nameObjects, [{ repo, objects }])));
}

function abortion(error: Error): BackupAbortedError {
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

/** The newest snapshot of exactly these sources (restic's parent), whose records skip reads. */
function findParent(snapshots: readonly SnapshotRef[], sources: readonly string[]): SnapshotRef | undefined {
  const key = JSON.stringify([...sources].sort());
  return snapshots.filter((s) => JSON.stringify([...s.header.sources].sort()) === key).at(-1);
}

function loadParentRecords(parent: SnapshotRef): Map<string, ParentRecord> {
  const records = new Map<string, ParentRecord>();
  for (const entry of readEntries(parent.path)) {
    if (entry.type !== 'file' || entry.hash === undefined) continue;
    const { size, mtimeNs, ctimeNs, ino, hash } = entry;
    records.set(entry.path.toString('latin1'), { size, mtimeNs, ctimeNs, ino, hash });
  }
  return records;
}

/** Waits for room among the batches in flight; a worker's failure aborts the run. */
async function waitForRoom(inFlight: InFlight): Promise<void> {
  await inFlight.waitForRoom().catch((error: Error) => {
    throw abortion(error.cause instanceof Error ? error.cause : error);
  });
}

/** A directory or symlink, from the stat the walk took of it (they have no content to copy). */
function recordOf(path: Buffer, type: 'dir' | 'symlink', stats: BigIntStats): SnapshotEntry {
  return {
    path,
    type,
    mode: Number(stats.mode & 0o7777n),
    mtimeNs: stats.mtimeNs.toString(),
    ctimeNs: stats.ctimeNs.toString(),
    ino: Number(stats.ino),
    size: 0,
  };
}

/** A repository inside a source is not backed up into itself. */
function repositoryExcludes(repoRoot: string, sources: readonly string[]): string[] {
  const out: string[] = [];
  for (const source of sources) {
    const inside = relativeInside(source, repoRoot);
    if (inside !== undefined && inside !== '') out.push(`/${inside}/`);
  }
  return out;
}
