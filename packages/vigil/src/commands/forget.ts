/** `vigil forget REPO --keep-...`: plan retention, print the plan with reasons, then (unless --dry-run) remove and prune. */
import { formatPlan, type KeepFlags, policyFromFlags } from '../backup/keep-options.js';
import { RepositoryLock } from '../backup/lock.js';
import { isEmptyPolicy } from '../backup/policy.js';
import { executePlan, planFor } from '../backup/rotation.js';
import { cleanLeftovers } from '../backup/run-backup.js';
import { UsageError } from '../errors.js';
import { ExitCode as Code, type ExitCode } from '../exit.js';
import { listSnapshots } from '../repo/snapshot-store.js';
import { formatBytes } from '../report/format-bytes.js';
import { count } from '../report/plural.js';
import { openRepository, type PasswordFlags, repositoryCodec } from './repository-access.js';

export interface ForgetOptions extends KeepFlags, PasswordFlags {
  readonly repo: string;
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

export async function forget(options: ForgetOptions): Promise<ExitCode> {
  const policy = policyFromFlags(options);
  if (isEmptyPolicy(policy)) throw new UsageError('forget needs at least one --keep-* rule (it would remove nothing)');
  const repo = await openRepository(options.repo, options);
  // A plan only reads; removing snapshots and pruning must not run beside any reader or backup.
  const lock = RepositoryLock.acquire(repo, options.dryRun ? 'shared' : 'exclusive', { command: 'forget' });
  try {
    const plan = planFor(listSnapshots(repo), policy);
    if (options.json) process.stdout.write(`${JSON.stringify({ plan, dryRun: options.dryRun === true })}\n`);
    else process.stdout.write(`${formatPlan(plan).join('\n')}\n`);
    if (options.dryRun) return Code.ok;
    const pruned = await executePlan(repo, await repositoryCodec(), plan, cleanLeftovers(repo));
    if (pruned && !options.json) {
      process.stdout.write(
        `pruned ${count(pruned.removedBlobs, 'blob')} (${count(pruned.removedPacks, 'pack')} removed, ${pruned.repackedPacks} repacked), ` +
          `${formatBytes(Math.max(0, pruned.freedBytes))} freed\n`,
      );
    }
    return Code.ok;
  } finally {
    lock.release();
  }
}
