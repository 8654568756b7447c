/** `vigil forget REPO --keep-...`: plan retention, print the plan with reasons, then (unless --dry-run) remove and prune. */
import { formatPlan, type KeepFlags, policyFromFlags } from '../backup/keep-options.js';
import { RepositoryLock } from '../backup/lock.js';
import { isEmptyPolicy } from '../backup/policy.js';
import { Repository } from '../backup/repository.js';
import { executePlan, planFor } from '../backup/rotation.js';
import { UsageError } from '../errors.js';
import { ExitCode as Code, type ExitCode } from '../exit.js';
import { formatBytes } from '../report/format-bytes.js';

export interface ForgetOptions extends KeepFlags {
  readonly repo: string;
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

export async function forget(options: ForgetOptions): Promise<ExitCode> {
  const policy = policyFromFlags(options);
  if (isEmptyPolicy(policy)) throw new UsageError('forget needs at least one --keep-* rule (it would remove nothing)');
  const repo = Repository.open(options.repo);
  const lock = options.dryRun ? undefined : RepositoryLock.acquire(repo);
  try {
    const plan = planFor(repo, policy);
    if (options.json) process.stdout.write(`${JSON.stringify({ plan, dryRun: options.dryRun === true })}\n`);
    else process.stdout.write(`${formatPlan(plan).join('\n')}\n`);
    if (options.dryRun) return Code.ok;
    const pruned = await executePlan(repo, plan, repo.cleanLeftovers());
    if (pruned && !options.json) {
      process.stdout.write(`pruned ${pruned.removedObjects} objects, ${formatBytes(pruned.removedBytes)}\n`);
    }
    return Code.ok;
  } finally {
    lock?.release();
  }
}
