/**
 * `vigil forget REPO --keep-...`: plan retention, print the plan with reasons, then (unless
 * --dry-run) remove and prune. `vigil forget REPO ID...` removes the named snapshots instead
 * (ids or unique prefixes); if any id names no snapshot or several, nothing is removed.
 */
import { formatPlan, groupByFromFlag, type KeepFlags, policyFromFlags } from '../backup/keep-options.js';
import { RepositoryLock } from '../backup/lock.js';
import { isEmptyPolicy, type PlanItem } from '../backup/policy.js';
import { cleanLeftovers } from '../backup/resume.js';
import { executePlan, planFor } from '../backup/rotation.js';
import { shortId } from '../backup/snapshots.js';
import { UsageError } from '../errors.js';
import { ExitCode as Code, type ExitCode } from '../exit.js';
import type { Repository } from '../repo/repository.js';
import { listSnapshots, type SnapshotListing } from '../repo/snapshot-store.js';
import { formatBytes } from '../report/format-bytes.js';
import { count } from '../report/plural.js';
import type { CommandHooks } from './hooks.js';
import { openRepository, type PasswordFlags, repositoryCodec } from './repository-access.js';

export interface ForgetOptions extends KeepFlags, PasswordFlags {
  readonly repo: string;
  /** Snapshots to remove by id or unique prefix (instead of a policy). */
  readonly ids?: readonly string[];
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

export async function forget(options: ForgetOptions, hooks: CommandHooks = {}): Promise<ExitCode> {
  const policy = policyFromFlags(options);
  const groupBy = groupByFromFlag(options.groupBy);
  const ids = options.ids ?? [];
  if (ids.length > 0 && !isEmptyPolicy(policy)) {
    throw new UsageError('forget takes snapshot ids or --keep-* rules, not both: run it once for each');
  }
  if (ids.length === 0 && isEmptyPolicy(policy)) {
    throw new UsageError('forget needs at least one --keep-* rule or snapshot id (it would remove nothing)');
  }
  const repo = await openRepository(options.repo, options);
  // A plan only reads; removing snapshots and pruning must not run beside any reader or backup.
  const lock = await RepositoryLock.acquire(repo, options.dryRun ? 'shared' : 'exclusive', { command: 'forget' });
  try {
    const listing = await listSnapshots(repo);
    if (ids.length > 0) return await forgetNamed(repo, listing, ids, options, hooks);
    const plan = planFor(listing, policy, groupBy);
    if (options.json) process.stdout.write(`${JSON.stringify({ plan, dryRun: options.dryRun === true })}\n`);
    else process.stdout.write(`${formatPlan(plan).join('\n')}\n`);
    if (options.dryRun) return Code.ok;
    await removeAndPrune(repo, plan.remove, options, hooks);
    return Code.ok;
  } finally {
    await lock.release();
  }
}

/** Removes the snapshots `ids` name, all or none: an unknown or ambiguous id is named, exit 1. */
async function forgetNamed(
  repo: Repository,
  listing: SnapshotListing,
  ids: readonly string[],
  options: ForgetOptions,
  hooks: CommandHooks,
): Promise<ExitCode> {
  const chosen = new Map<string, PlanItem>();
  const problems: string[] = [];
  for (const id of ids) {
    const matches = /^[0-9a-f]+$/.test(id) ? listing.snapshots.filter((s) => s.id.startsWith(id)) : [];
    if (matches.length === 1) {
      const [{ id: full, snapshot }] = matches as [(typeof matches)[0]];
      chosen.set(full, { id: full, time: snapshot.time, reasons: [] });
    } else if (matches.length === 0) {
      problems.push(`vigil: no snapshot "${id}" in ${repo.root}: list them with vigil snapshots ${repo.root}`);
    } else {
      problems.push(
        `vigil: "${id}" names ${matches.length} snapshots (${matches.map((s) => shortId(s.id)).join(', ')}): give more of its digits`,
      );
    }
  }
  if (problems.length > 0) {
    process.stderr.write(`${problems.join('\n')}\nvigil: nothing was removed\n`);
    return Code.someFilesFailed;
  }
  const remove = [...chosen.values()];
  if (options.json) process.stdout.write(`${JSON.stringify({ remove, dryRun: options.dryRun === true })}\n`);
  else {
    const lines = [`${options.dryRun ? 'would remove' : 'remove'} ${count(remove.length, 'snapshot')}:`];
    for (const item of remove) lines.push(`  ${shortId(item.id)}  ${item.time}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (!options.dryRun) await removeAndPrune(repo, remove, options, hooks);
  return Code.ok;
}

async function removeAndPrune(
  repo: Repository,
  remove: readonly PlanItem[],
  options: ForgetOptions,
  hooks: CommandHooks,
): Promise<void> {
  const pruned = await executePlan(
    repo,
    await repositoryCodec(),
    { remove },
    await cleanLeftovers(repo),
    hooks.checkpoint,
  );
  if (pruned && !options.json) {
    process.stdout.write(
      `pruned ${count(pruned.removedBlobs, 'blob')} (${count(pruned.removedPacks, 'pack')} removed, ${pruned.repackedPacks} repacked), ` +
        `${formatBytes(Math.max(0, pruned.freedBytes))} freed\n`,
    );
  }
}
