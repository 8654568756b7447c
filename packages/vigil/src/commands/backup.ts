/**
 * `vigil backup SRC... --to REPO`: open the repository (or make one: encrypted when a password
 * is given), take the lock, clean what an interrupted run left, make one snapshot of all
 * sources, then rotate (apply --keep-*, prune). --dry-run prints what rotation would do after
 * a backup, the snapshot it would make included, and writes nothing. Ctrl-C before the commit
 * says that nothing was committed and that the next run resumes (resume.ts).
 */
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { backupWalk } from '../backup/backup-walk.js';
import { formatPlan, groupByFromFlag, type KeepFlags, policyFromFlags } from '../backup/keep-options.js';
import { RepositoryLock, withRepositoryLock } from '../backup/lock.js';
import { cacheRoot, holdsTableOf, ParentCache } from '../backup/parent-cache.js';
import { ParentReader } from '../backup/parent-in-worker.js';
import { type GroupBy, isEmptyPolicy, type KeepPolicy, type RetentionPlan } from '../backup/policy.js';
import type { PruneResult } from '../backup/prune.js';
import { parseRecordedTime } from '../backup/recorded-time.js';
import { cleanLeftovers } from '../backup/resume.js';
import { executePlan, planFor } from '../backup/rotation.js';
import { runBackup } from '../backup/run-backup.js';
import { shortId } from '../backup/snapshots.js';
import tasks from '../backup/tasks.js';
import { RepositoryLockedError, UsageError } from '../errors.js';
import { ExitCode as Code, type ExitCode, exitCodeForBackup } from '../exit.js';
import { WalkAhead } from '../fs/walk-ahead.js';
import { BACKUP_WORKER_YOUNG_MB, createWorkerPool, readingCounterFor } from '../pool/worker-pool.js';
import { type BlobCodec, COMPRESSION_MODES, type CompressionMode } from '../repo/compression.js';
import { CONFIG_NAME, type Repository } from '../repo/repository.js';
import { snapshotTime } from '../repo/snapshot-file.js';
import { listSnapshots } from '../repo/snapshot-store.js';
import { formatBytes } from '../report/format-bytes.js';
import { jsonValue } from '../report/json-value.js';
import { count } from '../report/plural.js';
import { silentProgress, terminalProgress } from '../report/progress.js';
import { formatRepositoryLocation, parseRepositoryLocation, type RepositoryLocation } from '../storage/location.js';
import { meaningfulLines, parseSize, sourcesFromFiles } from './backup-selection.js';
import type { CommandHooks } from './hooks.js';
import { onInterrupt } from './interrupt.js';
import { openOrInitRepository, openRepository, type PasswordFlags, repositoryCodec } from './repository-access.js';

export interface BackupOptions extends KeepFlags, PasswordFlags {
  readonly sources: readonly string[];
  readonly to?: string;
  readonly exclude?: readonly string[];
  readonly excludeFile?: readonly string[];
  readonly filesFrom?: readonly string[];
  readonly excludeCaches?: boolean;
  readonly excludeLargerThan?: string;
  readonly tag?: readonly string[];
  readonly compression?: string;
  readonly dryRun?: boolean;
  readonly jobs?: string;
  readonly json?: boolean;
  readonly progress?: boolean;
  /** commander's `--no-cache` sets this to false: the parent cache is neither read nor written. */
  readonly cache?: boolean;
  /** The time to record instead of now (importing old backups). */
  readonly time?: string;
}

export async function backup(options: BackupOptions, hooks: CommandHooks = {}): Promise<ExitCode> {
  if (options.to === undefined) throw new UsageError('backup needs --to REPO: where to keep the snapshots');
  const given = [...options.sources, ...sourcesFromFiles(options.filesFrom ?? [])];
  if (given.length === 0) throw new UsageError('backup needs at least one SRC to back up (or --files-from FILE)');
  const compression = compressionMode(options.compression);
  const policy = policyFromFlags(options);
  const groupBy = groupByFromFlag(options.groupBy);
  const recordedTimeNs = options.time === undefined ? undefined : parseRecordedTime(options.time);
  const excludes = [
    ...(options.exclude ?? []),
    ...(options.excludeFile ?? []).flatMap((file) => meaningfulLines(file, '--exclude-file')),
  ];
  const maxFileSize =
    options.excludeLargerThan === undefined ? undefined : parseSize(options.excludeLargerThan, '--exclude-larger-than');
  const sources = [...new Set(given.map(realSource))];
  const missing = sources.filter(isMissing);
  if (missing.length > 0) {
    throw new UsageError(
      `${missing.length === 1 ? 'the source' : 'the sources'} ${missing.join(', ')} ` +
        `${missing.length === 1 ? 'does' : 'do'} not exist: check the path (nothing was backed up)`,
    );
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (options.dryRun) {
    const repo = await openRepository(options.to, options);
    const listing = await withRepositoryLock(repo, 'shared', { command: 'backup' }, async () => listSnapshots(repo));
    // The plan a real run makes includes the snapshot it has just made: so does this one.
    const wouldBe = {
      time: snapshotTime(recordedTimeNs ?? BigInt(Date.now()) * 1_000_000n),
      sources,
      host: hostname(),
      tags: options.tag ?? [],
    };
    const plan = planFor(listing, policy, groupBy, wouldBe);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ dryRun: true, wouldBe, plan })}\n`);
    } else {
      process.stdout.write(`would back up ${sources.join(', ')} to ${repo.root} as (new), then apply the policy:\n`);
      process.stdout.write(`${formatPlan(plan).join('\n')}\n`);
    }
    return 0;
  }
  const location = repositoryLocation(options.to);
  const caching = options.cache !== false;
  // When a parent is likely, the walk starts now too, while the repository opens (fs/walk-ahead.ts).
  const walked =
    location !== undefined && caching && holdsTableOf(cacheRoot(), sources)
      ? new WalkAhead(backupWalk(formatRepositoryLocation(location), sources, excludes, options.excludeCaches === true))
      : undefined;
  // The worker that reads the parent snapshot starts now, beside the opening (parent-in-worker.ts).
  const parentReader = startParentReader(location, caching);
  // So do the backup's workers: each loads its modules and opens its storage (over SFTP or S3:
  // connects and logs in) while this thread opens the repository (the password's key derivation
  // leaves a core free) and reads the index, not at its first batch.
  const pool = createWorkerPool(
    'vigil-backup',
    { jobs: options.jobs },
    {
      youngGenerationMb: BACKUP_WORKER_YOUNG_MB,
      startWith: { task: tasks.startWorker, args: location === undefined ? [] : [formatRepositoryLocation(location)] },
    },
  );
  let repo: Repository;
  let codec: BlobCodec;
  let lock: RepositoryLock;
  try {
    repo = await openOrInitRepository(options.to, options, log);
    codec = await repositoryCodec();
    // Shared: backups only add, so several may run at once, and beside readers (rotation below takes the exclusive one).
    lock = await RepositoryLock.acquire(repo, 'shared', { command: 'backup', refresher: 'later-thread' });
  } catch (error) {
    await Promise.all([parentReader.close(), pool.terminate(), walked?.stop()]);
    throw error;
  }
  const progress =
    options.progress !== false && process.stderr.isTTY === true
      ? terminalProgress(process.stderr, { newBytes: true })
      : silentProgress(process.stderr);
  let committed = false;
  const stopListening = onInterrupt(() => {
    progress.stop();
    log(
      committed
        ? 'vigil: interrupted after the snapshot was committed: it is kept; the next backup or forget finishes the rotation'
        : 'vigil: interrupted: nothing was committed; the data already stored stays, and the next backup resumes from it',
    );
  });
  try {
    await hooks.lockTaken?.('shared');
    const { id, snapshot, unlistedPacks, resumed, parentFrom } = await runBackup({
      repo,
      codec,
      sources,
      excludes,
      excludeCaches: options.excludeCaches === true,
      maxFileSize,
      tags: options.tag ?? [],
      compression,
      pool,
      progress,
      reading: readingCounterFor({ jobs: options.jobs }, progress),
      assertLocked: () => lock.assertHeld(),
      checkpoint: hooks.checkpoint,
      storeEntries: hooks.storeEntries,
      recordedTimeNs,
      workersDone: () => pool.terminate(),
      parentReader,
      parentCache: caching ? new ParentCache(cacheRoot(), repo.config.id, repo.secrets.encryptionKey) : undefined,
      walked,
    });
    committed = true;
    progress.stop();
    await lock.release();
    if (resumed.packs > 0) {
      log(
        `vigil: resumed: ${count(resumed.blobs, 'chunk or tree', 'chunks and trees')} (${formatBytes(resumed.bytes)}) an interrupted run stored were not stored again`,
      );
    }
    // What an interrupted run left (resumed packs included: this snapshot may not use all of their blobs) is pruned.
    const leftovers = unlistedPacks > 0 || resumed.packs > 0;
    const rotation = await rotate(repo, codec, policy, groupBy, leftovers, hooks);
    if (rotation instanceof RepositoryLockedError) {
      // The snapshot is committed; only its retention waits for a run that can hold the repository alone.
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ id, snapshot, removed: [], locked: rotation.message }, jsonValue)}\n`);
      } else process.stdout.write(`snapshot ${shortId(id)} saved\n`);
      log(`vigil: snapshot ${shortId(id)} is saved, but the --keep-* policy was not applied: ${rotation.message}`);
      return Code.repositoryLocked;
    }
    const { plan, pruned } = rotation;
    const { stats } = snapshot;
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ id, snapshot, removed: plan.remove, pruned, resumed, parentFrom }, jsonValue)}\n`,
      );
    } else {
      process.stdout.write(
        `snapshot ${shortId(id)}${snapshot.incomplete ? ' (INCOMPLETE)' : ''}: ${count(stats.files, 'file')}, ` +
          `${formatBytes(stats.totalBytes)}, ${formatBytes(stats.newBytes)} new ` +
          `(${formatBytes(stats.storedBytes)} stored) in ${count(stats.newBlobs, 'chunk')}\n`,
      );
      if (!isEmptyPolicy(policy)) process.stdout.write(`${formatPlan(plan).join('\n')}\n`);
      if (pruned && pruned.removedBlobs > 0) {
        process.stdout.write(
          `pruned ${count(pruned.removedBlobs, 'blob')}, ${formatBytes(Math.max(0, pruned.freedBytes))} freed\n`,
        );
      }
    }
    if (snapshot.incomplete) {
      log(
        `vigil: snapshot ${shortId(id)} is incomplete: ${count(snapshot.unreadableCount, 'path')} could not be read (listed above)`,
      );
    }
    return exitCodeForBackup({ unreadable: snapshot.unreadableCount });
  } finally {
    stopListening();
    progress.stop();
    // The walk, if the run failed before it took it.
    await Promise.all([pool.terminate(), parentReader.close(), walked?.stop()]);
    await lock.release();
  }
}

/**
 * The parent reader for a backup into `location`, its worker started at once when it is likely to be
 * needed: when `location` may hold a repository already (not a local path without one: a first
 * backup has no parent, and its workers need the core), and the parent cache cannot be had
 * (turned off, or no cache folder on this machine: a new machine, or one cleared), so its
 * trees will be read. Else it starts only if the cache misses.
 */
function startParentReader(location: RepositoryLocation | undefined, caching: boolean): ParentReader {
  if (location === undefined) return new ParentReader();
  if (location.kind === 'local' && !existsSync(join(location.path, CONFIG_NAME))) return new ParentReader();
  if (caching && existsSync(cacheRoot())) return new ParentReader();
  return new ParentReader(formatRepositoryLocation(location));
}

/** `to` parsed, or undefined when it cannot be: the opening reports why. */
function repositoryLocation(to: string): RepositoryLocation | undefined {
  try {
    return parseRepositoryLocation(to);
  } catch {
    return undefined;
  }
}

/**
 * After the commit: with the exclusive lock, remove what interrupted runs left under tmp/,
 * apply the policy and prune. Another run holding the repository skips this quietly when
 * there is no policy (the next run cleans up), and is returned as the lock error when there is.
 */
async function rotate(
  repo: Repository,
  codec: BlobCodec,
  policy: KeepPolicy,
  groupBy: GroupBy | undefined,
  leftovers: boolean,
  hooks: CommandHooks,
): Promise<{ plan: RetentionPlan; pruned: PruneResult | undefined } | RepositoryLockedError> {
  let lock: RepositoryLock;
  try {
    lock = await RepositoryLock.acquire(repo, 'exclusive', { command: 'backup', refresher: 'later-thread' });
  } catch (error) {
    if (!(error instanceof RepositoryLockedError)) throw error;
    if (!isEmptyPolicy(policy)) return error;
    return { plan: planFor({ snapshots: [], damaged: [] }, policy, groupBy), pruned: undefined };
  }
  try {
    const hadLeftovers = await cleanLeftovers(repo);
    const plan = planFor(await listSnapshots(repo), policy, groupBy);
    return { plan, pruned: await executePlan(repo, codec, plan, hadLeftovers || leftovers, hooks.checkpoint) };
  } finally {
    await lock.release();
  }
}

/** A source that is not there (a typo): refused. One that cannot be reached (EACCES) is the walk's to report. */
function isMissing(source: string): boolean {
  try {
    lstatSync(source);
    return false;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR';
  }
}

/**
 * A source by its real path: the snapshot's tree holds each entry by its path, and a source
 * reached through a symlink would otherwise be recorded as the link with its contents under
 * it. A missing source stays as given, and is refused before anything is written.
 */
function realSource(source: string): string {
  try {
    return realpathSync(source);
  } catch {
    return resolve(source);
  }
}

function compressionMode(value: string | undefined): CompressionMode {
  if (value === undefined) return 'auto';
  if (!(COMPRESSION_MODES as readonly string[]).includes(value)) {
    throw new UsageError(`--compression must be one of ${COMPRESSION_MODES.join(', ')}, got "${value}"`);
  }
  return value as CompressionMode;
}
