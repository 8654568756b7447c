/**
 * `vigil verify`: every object the chosen snapshots reference is read back and re-hashed in
 * the workers; each one missing or not matching its name is a finding, reported with a path
 * that uses it. Findings stream to the caller; nothing throws at the first one.
 */
import type { Pool } from 'tandem';
import type { Repository } from './repository.js';
import { readEntries } from './snapshot-record.js';
import type { SnapshotRef } from './snapshots.js';
import type { VerifyObjectsRequest } from './store-protocol.js';
import tasks from './store-tasks.js';

/** Objects per task. */
const HASHES_PER_BATCH = 64;

export type VerifyFinding =
  | {
      readonly kind: 'object';
      readonly hash: string;
      readonly problem: string;
      readonly usedBy: string;
      readonly snapshot: string;
    }
  | { readonly kind: 'record'; readonly snapshot: string; readonly message: string };

export interface VerifySummary {
  readonly snapshots: number;
  readonly objects: number;
  readonly bytes: number;
  readonly findings: number;
}

export async function verifySnapshots(
  repo: Repository,
  snapshots: readonly SnapshotRef[],
  pool: Pool,
  onFinding: (finding: VerifyFinding) => void,
): Promise<VerifySummary> {
  // hash -> a path and snapshot that use it, to name in a finding
  const users = new Map<string, { path: string; snapshot: string }>();
  let findings = 0;
  for (const snapshot of snapshots) {
    try {
      for (const entry of readEntries(snapshot.path)) {
        if (entry.hash !== undefined && !users.has(entry.hash)) {
          users.set(entry.hash, { path: entry.path.toString('utf8'), snapshot: snapshot.header.id });
        }
      }
    } catch (error) {
      findings++;
      onFinding({ kind: 'record', snapshot: snapshot.header.id, message: (error as Error).message });
    }
  }
  const requests: VerifyObjectsRequest[] = [];
  let batch: string[] = [];
  for (const hash of users.keys()) {
    batch.push(hash);
    if (batch.length === HASHES_PER_BATCH) {
      requests.push({ repo: repo.root, hashes: batch });
      batch = [];
    }
  }
  if (batch.length > 0) requests.push({ repo: repo.root, hashes: batch });
  let bytes = 0;
  for await (const result of pool.imapUnordered(tasks.verifyObjects, requests, { chunkSize: 1 })) {
    bytes += result.bytes;
    for (const { hash, problem } of result.problems) {
      findings++;
      const user = users.get(hash);
      onFinding({ kind: 'object', hash, problem, usedBy: user?.path ?? '?', snapshot: user?.snapshot ?? '?' });
    }
  }
  return { snapshots: snapshots.length, objects: users.size, bytes, findings };
}
