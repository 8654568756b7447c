/**
 * Removes objects that no snapshot references. Called with the lock held, after forget
 * removed snapshots, and after a run that found leftovers of an interrupted one.
 *
 * REPO/prune-pending is written before snapshots are removed and deleted after the prune,
 * so a prune cut short (its snapshots gone, their objects not yet) is finished next time.
 */
import { existsSync, lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointHook } from './checkpoints.js';
import { fsyncDirectory, writeFileDurably } from './durable.js';
import type { Repository } from './repository.js';
import { readEntries } from './snapshot-record.js';
import { listSnapshots } from './snapshots.js';

export interface PruneResult {
  readonly removedObjects: number;
  readonly removedBytes: number;
  readonly keptObjects: number;
}

export function markPrunePending(repo: Repository): void {
  if (!existsSync(repo.prunePendingPath)) {
    writeFileDurably(`${repo.prunePendingPath}.tmp`, repo.prunePendingPath, `${new Date().toISOString()}\n`);
  }
}

export async function prune(repo: Repository, checkpoint?: CheckpointHook): Promise<PruneResult> {
  markPrunePending(repo);
  const referenced = new Set<string>();
  for (const snapshot of listSnapshots(repo)) {
    for (const entry of readEntries(snapshot.path)) if (entry.hash !== undefined) referenced.add(entry.hash);
  }
  let removedObjects = 0;
  let removedBytes = 0;
  let keptObjects = 0;
  for (const prefix of readdirSync(repo.objectsDir)) {
    const dir = join(repo.objectsDir, prefix);
    let removedHere = false;
    for (const name of readdirSync(dir)) {
      if (referenced.has(name)) {
        keptObjects++;
        continue;
      }
      const path = join(dir, name);
      removedBytes += lstatSync(path).size;
      unlinkSync(path);
      removedObjects++;
      removedHere = true;
      if (removedObjects === 1) await checkpoint?.('during-prune');
    }
    if (removedHere) fsyncDirectory(dir);
  }
  unlinkSync(repo.prunePendingPath);
  return { removedObjects, removedBytes, keptObjects };
}
