/** Finding snapshots of a format-2 repository by `latest`, a full id or a unique prefix of one. */
import { SnapshotNotFoundError } from '../errors.js';
import type { Repository } from '../repo/repository.js';
import { listSnapshots, type StoredSnapshot } from '../repo/snapshot-store.js';

/** How many hex digits of an id people see: restic's short id. */
export const SHORT_ID = 8;

export function shortId(id: string): string {
  return id.slice(0, SHORT_ID);
}

/** `latest`, a full id, or a unique prefix of one; damaged snapshot files are named on `log`. */
export async function findSnapshot(repo: Repository, id: string, log: (line: string) => void): Promise<StoredSnapshot> {
  const listing = await listSnapshots(repo);
  for (const { id: bad, error } of listing.damaged) log(`vigil: snapshot ${shortId(bad)} is damaged: ${error.message}`);
  if (id === 'latest') {
    const newest = listing.snapshots.at(-1);
    if (newest === undefined) throw new SnapshotNotFoundError(repo.root, id);
    return newest;
  }
  const matches = listing.snapshots.filter((s) => s.id.startsWith(id));
  if (matches.length !== 1 || id.length === 0) throw new SnapshotNotFoundError(repo.root, id);
  return matches[0] as StoredSnapshot;
}
