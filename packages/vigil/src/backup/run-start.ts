/**
 * What a backup run learns of the repository before it walks: the index (with what an
 * interrupted run left, taken over: resume.ts), the snapshots and the parent among them, and
 * the packs no index lists. Read side by side: over SFTP or S3 each is a round trip or more
 * (a listing of data/ is 257), and none needs another.
 */
import { type LoadedIndex, loadIndex, packIds } from '../repo/index-load.js';
import type { Repository } from '../repo/repository.js';
import { listSnapshots, type StoredSnapshot } from '../repo/snapshot-store.js';
import { findParent } from './parent-in-worker.js';
import { type ResumedPacks, resumeInterruptedRun } from './resume.js';

export interface RunStart {
  readonly loaded: LoadedIndex;
  readonly resumed: ResumedPacks;
  /** Packs under data/ that no index lists, once the good ones were taken over: for prune. */
  readonly unlistedPacks: number;
  /** The newest snapshot of exactly these sources. */
  readonly parent: StoredSnapshot | undefined;
  /** Index files, snapshots and packs that could not be read, one line each (the run goes on without them). */
  readonly damaged: string[];
}

/**
 * Writes the run's `marker` (tmp/, removed after the commit: a run killed after its index file
 * is written leaves blobs no snapshot uses, and the marker makes the next run's cleanup see it
 * and prune) while it reads the rest.
 */
export async function startRun(repo: Repository, sources: readonly string[], marker: string): Promise<RunStart> {
  const [, loaded, listing, inData] = await Promise.all([
    repo.storage.write(marker, Buffer.from(`${process.pid}\n`), { durable: false }),
    loadIndex(repo.storage, repo.sealer),
    listSnapshots(repo),
    packIds(repo.storage),
  ]);
  const resumed = await resumeInterruptedRun(repo, loaded, inData);
  const listed = new Set(loaded.index.packIds());
  return {
    loaded,
    resumed,
    unlistedPacks: inData.filter((id) => !listed.has(id)).length,
    parent: findParent(listing.snapshots, sources),
    damaged: [
      ...loaded.damaged.map((error) => error.message),
      ...resumed.damaged.map((line) => `not resumed from (left for prune): ${line}`),
      ...listing.damaged.map(({ id, error }) => `snapshot ${id.slice(0, 16)}: ${error.message}`),
    ],
  };
}
