/**
 * `vigil backup SRC... --to REPO`: take the lock, clean what an interrupted run left, make
 * one snapshot of all sources, then rotate (apply --keep-*, prune). --dry-run prints what
 * rotation would do after a backup and writes nothing.
 */
import { resolve } from 'node:path';
import { formatPlan, type KeepFlags, policyFromFlags } from '../backup/keep-options.js';
import { RepositoryLock } from '../backup/lock.js';
import { isEmptyPolicy } from '../backup/policy.js';
import { Repository } from '../backup/repository.js';
import { executePlan, planFor } from '../backup/rotation.js';
import { runBackup } from '../backup/run-backup.js';
import { UsageError } from '../errors.js';
import { type ExitCode, exitCodeForBackup } from '../exit.js';
import { createWorkerPool, readingCounterFor } from '../pool/worker-pool.js';
import { formatBytes } from '../report/format-bytes.js';
import { silentProgress, terminalProgress } from '../report/progress.js';
import type { CommandHooks } from './hooks.js';

export interface BackupOptions extends KeepFlags {
  readonly sources: readonly string[];
  readonly to?: string;
  readonly exclude?: readonly string[];
  readonly tag?: readonly string[];
  readonly dryRun?: boolean;
  readonly jobs?: string;
  readonly json?: boolean;
  readonly progress?: boolean;
}

export async function backup(options: BackupOptions, hooks: CommandHooks = {}): Promise<ExitCode> {
  if (options.to === undefined) throw new UsageError('backup needs --to REPO: where to keep the snapshots');
  if (options.sources.length === 0) throw new UsageError('backup needs at least one SRC to back up');
  const policy = policyFromFlags(options);
  const sources = [...new Set(options.sources.map((s) => resolve(s)))];
  if (options.dryRun) {
    const repo = Repository.open(options.to);
    process.stdout.write(`would back up ${sources.join(', ')} to ${repo.root}, then apply the policy:\n`);
    process.stdout.write(`${formatPlan(planFor(repo, policy)).join('\n')}\n`);
    return 0;
  }
  const repo = Repository.openOrInit(options.to);
  const lock = RepositoryLock.acquire(repo);
  const progress =
    options.progress !== false && process.stderr.isTTY === true
      ? terminalProgress(process.stderr, { newBytes: true })
      : silentProgress(process.stderr);
  const pool = createWorkerPool('vigil-backup', { jobs: options.jobs });
  try {
    const hadLeftovers = repo.cleanLeftovers();
    const header = await runBackup({
      repo,
      sources,
      excludes: options.exclude ?? [],
      tags: options.tag ?? [],
      pool,
      progress,
      reading: readingCounterFor({ jobs: options.jobs }, progress),
      storeBatch: hooks.storeBatch,
      checkpoint: hooks.checkpoint,
    });
    progress.stop();
    const plan = planFor(repo, policy);
    const pruned = await executePlan(repo, plan, hadLeftovers, hooks.checkpoint);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ snapshot: header, removed: plan.remove, pruned })}\n`);
    } else {
      process.stdout.write(
        `snapshot ${header.id}${header.incomplete ? ' (INCOMPLETE)' : ''}: ${header.files} files, ` +
          `${formatBytes(header.totalBytes)}, ${formatBytes(header.newBytes)} new in ${header.newObjects} objects\n`,
      );
      if (!isEmptyPolicy(policy)) process.stdout.write(`${formatPlan(plan).join('\n')}\n`);
      if (pruned && pruned.removedObjects > 0) {
        process.stdout.write(`pruned ${pruned.removedObjects} objects, ${formatBytes(pruned.removedBytes)}\n`);
      }
    }
    if (header.incomplete) {
      process.stderr.write(
        `vigil: snapshot ${header.id} is incomplete: ${header.unreadableCount} path(s) could not be read (listed above)\n`,
      );
    }
    return exitCodeForBackup({ unreadable: header.unreadableCount });
  } finally {
    progress.stop();
    await pool.terminate();
    lock.release();
  }
}
