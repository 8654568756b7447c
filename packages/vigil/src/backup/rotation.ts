/**
 * Executes a retention plan on a format-2 repository: removes the snapshot files the plan
 * drops (all in one removeAll, durable before it returns), then prunes what no snapshot uses
 * any more. The order is what makes a crash harmless: prune only ever removes what the
 * remaining snapshots do not reach, so every removal must be durable before prune marks; a
 * crash between the two leaves unused data that the next prune takes.
 * Shared by `forget` and by the rotation after a backup.
 */

import type { BlobCodec } from '../repo/compression.js';
import type { Repository } from '../repo/repository.js';
import { removeSnapshots, type SnapshotListing } from '../repo/snapshot-store.js';
import type { CheckpointHook } from './checkpoints.js';
import { type GroupBy, type KeepPolicy, type PlannedSnapshot, planRetention, type RetentionPlan } from './policy.js';
import { type PruneResult, prune } from './prune.js';

/** The id the plan of `backup --dry-run` gives the snapshot the backup would make. */
export const WOULD_BE_ID = '(new)';

/** The plan over the listed snapshots and, for a dry run, the one a backup would add. */
export function planFor(
  listing: SnapshotListing,
  policy: KeepPolicy,
  groupBy?: GroupBy,
  wouldBe?: Omit<PlannedSnapshot, 'id'>,
): RetentionPlan {
  const snapshots: PlannedSnapshot[] = listing.snapshots.map((s) => ({
    id: s.id,
    time: s.snapshot.time,
    sources: s.snapshot.sources,
    host: s.snapshot.host,
    tags: s.snapshot.tags,
  }));
  if (wouldBe) snapshots.push({ ...wouldBe, id: WOULD_BE_ID });
  return planRetention(snapshots, policy, groupBy);
}

/** Removes the plan's snapshots and prunes; `pruneAnyway` prunes even when none is removed. */
export async function executePlan(
  repo: Repository,
  codec: BlobCodec,
  plan: Pick<RetentionPlan, 'remove'>,
  pruneAnyway: boolean,
  checkpoint?: CheckpointHook,
): Promise<PruneResult | undefined> {
  if (plan.remove.length === 0 && !pruneAnyway) return undefined;
  await removeSnapshots(
    repo,
    plan.remove.map((item) => item.id),
  );
  return prune(repo, codec, checkpoint);
}
