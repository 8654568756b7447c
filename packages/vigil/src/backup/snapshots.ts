/** The snapshots of a repository: list their headers, find one by id, id prefix or `latest`. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SnapshotNotFoundError } from '../errors.js';
import type { Repository } from './repository.js';
import { readHeader, SNAPSHOT_SUFFIX, type SnapshotHeader } from './snapshot-record.js';

export interface SnapshotRef {
  readonly header: SnapshotHeader;
  readonly path: string;
}

/** Every committed snapshot, oldest first. */
export function listSnapshots(repo: Repository): SnapshotRef[] {
  const refs: SnapshotRef[] = [];
  for (const name of readdirSync(repo.snapshotsDir)) {
    if (!name.endsWith(SNAPSHOT_SUFFIX)) continue; // temp names never end so
    const path = join(repo.snapshotsDir, name);
    refs.push({ header: readHeader(path), path });
  }
  return refs.sort((a, b) => compareNs(a.header.timeNs, b.header.timeNs) || a.header.id.localeCompare(b.header.id));
}

/** `latest`, a full id, or a unique prefix of one. */
export function findSnapshot(repo: Repository, id: string): SnapshotRef {
  const all = listSnapshots(repo);
  if (id === 'latest') {
    const newest = all.at(-1);
    if (newest === undefined) throw new SnapshotNotFoundError(repo.root, id);
    return newest;
  }
  const matches = all.filter((s) => s.header.id.startsWith(id));
  if (matches.length !== 1 || id.length === 0) throw new SnapshotNotFoundError(repo.root, id);
  return matches[0] as SnapshotRef;
}

export function compareNs(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
