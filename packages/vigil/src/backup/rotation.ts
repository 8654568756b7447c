/**
 * Executes a retention plan: records that forget is under way, removes the snapshots the
 * plan drops, then prunes the objects nobody references any more. Shared by forget and by
 * the rotation after a backup.
 */
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointHook } from './checkpoints.js';
import { fsyncDirectory } from './durable.js';
import { type KeepPolicy, planRetention, type RetentionPlan } from './policy.js';
import { markPrunePending, type PruneResult, prune } from './prune.js';
import type { Repository } from './repository.js';
import { SNAPSHOT_SUFFIX } from './snapshot-record.js';
import { listSnapshots } from './snapshots.js';

export function planFor(repo: Repository, policy: KeepPolicy): RetentionPlan {
  const snapshots = listSnapshots(repo).map((s) => ({
    id: s.header.id,
    time: s.header.time,
    sources: s.header.sources,
  }));
  return planRetention(snapshots, policy);
}

/** Removes the plan's snapshots and prunes; `pruneAnyway` prunes even when none is removed. */
export async function executePlan(
  repo: Repository,
  plan: RetentionPlan,
  pruneAnyway: boolean,
  checkpoint?: CheckpointHook,
): Promise<PruneResult | undefined> {
  if (plan.remove.length === 0 && !pruneAnyway) return undefined;
  markPrunePending(repo);
  for (const item of plan.remove) unlinkSync(join(repo.snapshotsDir, `${item.id}${SNAPSHOT_SUFFIX}`));
  if (plan.remove.length > 0) fsyncDirectory(repo.snapshotsDir);
  return prune(repo, checkpoint);
}
