/**
 * Snapshot files of a format-2 repository: `snapshots/<SHA-256 of the file>`, each one sealed
 * blob of kind `snapshot` (docs/format-v2-trees.md). A snapshot appears by one rename of a
 * complete, fsynced file, after everything it references is durable: that rename is the
 * commit of a backup. Listing reads every file and checks it: a damaged one is named and set
 * aside, and the others list, restore and verify as if it were not there.
 */
import { StorageError } from '../errors.js';
import { boundedMap } from '../storage/bounded-map.js';
import type { Repository } from './repository.js';
import {
  decodeSnapshot,
  encodeSnapshot,
  type Snapshot,
  SnapshotDamagedError,
  snapshotFileId,
} from './snapshot-file.js';

const HEX_ID = /^[0-9a-f]{64}$/;
/** A snapshot file is a few hundred bytes; a reader refuses what cannot be one before reading it. */
const MAX_SNAPSHOT_FILE_BYTES = 16 * 1024 * 1024 + 1024;

export interface StoredSnapshot {
  /** 64 hex digits: the file's name. */
  readonly id: string;
  readonly snapshot: Snapshot;
}

export interface SnapshotListing {
  /** Oldest first (by the time each records, then id). */
  readonly snapshots: StoredSnapshot[];
  /** Files under snapshots/ that could not be read, each with why. */
  readonly damaged: { readonly id: string; readonly error: Error }[];
}

/** Seals and writes `snapshot`, durably, under its id; returns the id. This is a backup's commit. */
export async function writeSnapshot(repo: Repository, snapshot: Snapshot): Promise<string> {
  const bytes = repo.sealer.seal(encodeSnapshot(snapshot), 'snapshot');
  const id = snapshotFileId(bytes);
  await repo.storage.write(`snapshots/${id}`, bytes);
  return id;
}

/** Reads and checks snapshot `id`; throws SnapshotDamagedError. */
export async function readSnapshot(repo: Repository, id: string): Promise<Snapshot> {
  const name = `snapshots/${id}`;
  const what = `snapshot ${id.slice(0, 16)}`;
  if (!HEX_ID.test(id)) throw new SnapshotDamagedError(what, '', 'its name is not a 64-hex-digit id');
  const size = await repo.storage.size(name);
  if (size === undefined) throw new StorageError(`${repo.root}: no ${name}`, { missing: true });
  if (size > MAX_SNAPSHOT_FILE_BYTES) throw new SnapshotDamagedError(what, '', 'too big to be a snapshot file');
  const bytes = await repo.storage.read(name, MAX_SNAPSHOT_FILE_BYTES);
  if (snapshotFileId(bytes) !== id) throw new SnapshotDamagedError(what, '', 'its bytes do not hash to its name');
  let plain: Buffer;
  try {
    plain = repo.sealer.open(bytes, 'snapshot');
  } catch (error) {
    throw new SnapshotDamagedError(what, '', `it does not open (${(error as Error).message})`, { cause: error });
  }
  return decodeSnapshot(plain, what);
}

/** Every snapshot, oldest first, and the files that are damaged. */
export async function listSnapshots(repo: Repository): Promise<SnapshotListing> {
  const names = (await repo.storage.list('snapshots')).filter((n) => HEX_ID.test(n));
  const snapshots: StoredSnapshot[] = [];
  const damaged: SnapshotListing['damaged'] = [];
  // Read side by side: a round trip or two each on a remote repository.
  await boundedMap(names, async (id) => {
    try {
      snapshots.push({ id, snapshot: await readSnapshot(repo, id) });
    } catch (error) {
      if (!(error instanceof Error) || (error instanceof StorageError && error.missing)) return; // forgotten meanwhile
      damaged.push({ id, error });
    }
  });
  damaged.sort((a, b) => (a.id < b.id ? -1 : 1));
  snapshots.sort((a, b) =>
    a.snapshot.timeNs < b.snapshot.timeNs ? -1 : a.snapshot.timeNs > b.snapshot.timeNs ? 1 : a.id < b.id ? -1 : 1,
  );
  return { snapshots, damaged };
}

/**
 * Removes the snapshots `ids` durably, in as few round trips as the storage allows (one
 * DeleteObjects on S3): every one is gone when it returns. One already gone counts as removed:
 * forget and the rotation hold the exclusive lock, so only an earlier interrupted run of theirs
 * can have removed it, and gone is what was asked.
 */
export async function removeSnapshots(repo: Repository, ids: readonly string[]): Promise<void> {
  for (const id of ids) if (!HEX_ID.test(id)) throw new RangeError(`not a snapshot id: ${id}`);
  await repo.storage.removeAll(ids.map((id) => `snapshots/${id}`));
}
