/**
 * `vigil backup SRC... --to REPO`: open the repository (or make one: encrypted when a password
 * is given), take the lock, clean what an interrupted run left, make one snapshot of all
 * sources, then rotate (apply --keep-*, prune). --dry-run prints what rotation would do after
 * a backup, the snapshot it would make included, and writes nothing. Ctrl-C before the commit
 * says that nothing was committed and that the next run resumes (resume.ts).
 */
import { realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { formatPlan, groupByFromFlag, type KeepFlags, policyFromFlags } from '../backup/keep-options.js';
import { RepositoryLock } from '../backup/lock.js';
import { isEmptyPolicy } from '../backup/policy.js';
import { parseRecordedTime } from '../backup/recorded-time.js';
import { executePlan, planFor } from '../backup/rotation.js';
import { cleanLeftovers, runBackup } from '../backup/run-backup.js';
import { shortId } from '../backup/snapshots.js';
import { UsageError } from '../errors.js';
import { type ExitCode, exitCodeForBackup } from '../exit.js';
import { createWorkerPool, readingCounterFor } from '../pool/worker-pool.js';
import { COMPRESSION_MODES, type CompressionMode } from '../repo/compression.js';
import { snapshotTime } from '../repo/snapshot-file.js';
import { listSnapshots } from '../repo/snapshot-store.js';
import { formatBytes } from '../report/format-bytes.js';
import { silentProgress, terminalProgress } from '../report/progress.js';
import type { CommandHooks } from './hooks.js';
import { openOrInitRepository, openRepository, type PasswordFlags, repositoryCodec } from './repository-access.js';
import { onInterrupt } from './setup.js';

export interface BackupOptions extends KeepFlags, PasswordFlags {
  readonly sources: readonly string[];
  readonly to?: string;
  readonly exclude?: readonly string[];
  readonly tag?: readonly string[];
  readonly compression?: string;
  readonly dryRun?: boolean;
  readonly jobs?: string;
  readonly json?: boolean;
  readonly progress?: boolean;
  /** The time to record instead of now (importing old backups). */
  readonly time?: string;
}

export async function backup(options: BackupOptions, hooks: CommandHooks = {}): Promise<ExitCode> {
  if (options.to === undefined) throw new UsageError('backup needs --to REPO: where to keep the snapshots');
  if (options.sources.length === 0) throw new UsageError('backup needs at least one SRC to back up');
  const compression = compressionMode(options.compression);
  const policy = policyFromFlags(options);
  const groupBy = groupByFromFlag(options.groupBy);
  const recordedTimeNs = options.time === undefined ? undefined : parseRecordedTime(options.time);
  const sources = [...new Set(options.sources.map(realSource))];
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (options.dryRun) {
    const repo = await openRepository(options.to, options);
    // The plan a real run makes includes the snapshot it has just made: so does this one.
    const wouldBe = {
      time: snapshotTime(recordedTimeNs ?? BigInt(Date.now()) * 1_000_000n),
      sources,
      host: hostname(),
      tags: options.tag ?? [],
    };
    const plan = planFor(listSnapshots(repo), policy, groupBy, wouldBe);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ dryRun: true, wouldBe, plan })}\n`);
    } else {
      process.stdout.write(`would back up ${sources.join(', ')} to ${repo.root} as (new), then apply the policy:\n`);
      process.stdout.write(`${formatPlan(plan).join('\n')}\n`);
    }
    return 0;
  }
  const repo = await openOrInitRepository(options.to, options, log);
  const codec = await repositoryCodec();
  const lock = RepositoryLock.acquire(repo);
  const progress =
    options.progress !== false && process.stderr.isTTY === true
      ? terminalProgress(process.stderr, { newBytes: true })
      : silentProgress(process.stderr);
  const pool = createWorkerPool('vigil-backup', { jobs: options.jobs });
  let committed = false;
  const stopListening = onInterrupt(() => {
    progress.stop();
    log(
      committed
        ? 'vigil: interrupted after the snapshot was committed: it is kept; the next backup or forget finishes the rotation'
        : 'vigil: interrupted: nothing was committed; the data already stored stays, and the next backup resumes from it',
    );
    lock.release();
  });
  try {
    const hadLeftovers = cleanLeftovers(repo);
    const { id, snapshot, unlistedPacks, resumed } = await runBackup({
      repo,
      codec,
      sources,
      excludes: options.exclude ?? [],
      tags: options.tag ?? [],
      compression,
      pool,
      progress,
      reading: readingCounterFor({ jobs: options.jobs }, progress),
      checkpoint: hooks.checkpoint,
      storeEntries: hooks.storeEntries,
      recordedTimeNs,
    });
    committed = true;
    progress.stop();
    if (resumed.packs > 0) {
      log(
        `vigil: resumed: ${resumed.blobs} chunks and trees (${formatBytes(resumed.bytes)}) an interrupted run stored were not stored again`,
      );
    }
    const plan = planFor(listSnapshots(repo), policy, groupBy);
    // What an interrupted run left (resumed packs included: this snapshot may not use all of their blobs) is pruned now.
    const leftovers = hadLeftovers || unlistedPacks > 0 || resumed.packs > 0;
    const pruned = await executePlan(repo, codec, plan, leftovers, hooks.checkpoint);
    const { stats } = snapshot;
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ id, snapshot, removed: plan.remove, pruned, resumed }, jsonValue)}\n`);
    } else {
      process.stdout.write(
        `snapshot ${shortId(id)}${snapshot.incomplete ? ' (INCOMPLETE)' : ''}: ${stats.files} files, ` +
          `${formatBytes(stats.totalBytes)}, ${formatBytes(stats.newBytes)} new ` +
          `(${formatBytes(stats.storedBytes)} stored) in ${stats.newBlobs} chunks\n`,
      );
      if (!isEmptyPolicy(policy)) process.stdout.write(`${formatPlan(plan).join('\n')}\n`);
      if (pruned && pruned.removedBlobs > 0) {
        process.stdout.write(
          `pruned ${pruned.removedBlobs} blobs, ${formatBytes(Math.max(0, pruned.freedBytes))} freed\n`,
        );
      }
    }
    if (snapshot.incomplete) {
      log(
        `vigil: snapshot ${shortId(id)} is incomplete: ${snapshot.unreadableCount} path(s) could not be read (listed above)`,
      );
    }
    return exitCodeForBackup({ unreadable: snapshot.unreadableCount });
  } finally {
    stopListening();
    progress.stop();
    await pool.terminate();
    lock.release();
  }
}

/**
 * A source by its real path: the snapshot's tree holds each entry by its path, and a source
 * reached through a symlink would otherwise be recorded as the link with its contents under
 * it. A missing source stays as given: the walk reports it, and the snapshot is incomplete.
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

/** JSON of snapshots: bigints as decimal strings, ids as hex. */
export function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array || (value as { type?: string })?.type === 'Buffer') {
    return Buffer.from((value as { data?: number[] }).data ?? (value as Uint8Array)).toString('hex');
  }
  return value;
}
