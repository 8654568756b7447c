/**
 * What a backup worker keeps of the repository across the batches of a run: the sealer, the
 * id hasher, the codec, the gear table, the owners' names, the blob ids of the index the run
 * started with (the main thread's table, shared: each worker skips the blobs the repository
 * has without asking the main thread or loading the index again), and the run's pack writer (run-packs.ts), which knows the blobs this
 * worker stored in the run's earlier batches and fills one pack across them. Blobs other
 * workers store during the run are not in it: two workers that meet the same new chunk both
 * store it, and the index keeps one (prune drops the other copy).
 */
import type { BlobIdHasher } from '../repo/blob-id.js';
import { createBlobIdHasher } from '../repo/blob-id.js';
import type { BlobWriter } from '../repo/blob-writer.js';
import type { ChunkerParams } from '../repo/chunker-params.js';
import { gearTable } from '../repo/chunker-params.js';
import { type BlobCodec, createBlobCodec } from '../repo/compression.js';
import { KnownBlobIds, type SharedBlobIds } from '../repo/index-table.js';
import { OwnerNames } from '../repo/owners.js';
import type { RepositorySecrets } from '../repo/repository.js';
import { createSealer, type Sealer } from '../repo/sealer.js';
import { loadZstd } from '../repo/zstd.js';
import type { Storage } from '../storage/storage.js';
import { workerStorage } from '../storage/worker-storage.js';
import { WorkerPacks } from './run-packs.js';

export interface WorkerRepository {
  readonly storage: Storage;
  readonly sealer: Sealer;
  readonly ids: BlobIdHasher;
  readonly codec: BlobCodec;
  readonly gear: Uint32Array;
  readonly chunker: ChunkerParams;
  readonly owners: OwnerNames;
  /** Whether the run started with the blob in the repository (the run's writer knows what it stored since). */
  readonly known: (id: Buffer) => boolean;
  /** The run's packs on this worker: made by `create` on the run's first batch, kept for its others. */
  readonly runPacks: (create: () => BlobWriter) => WorkerPacks;
}

let cached: { key: string; repo: Promise<WorkerRepository> } | undefined;

/**
 * This worker's view of the repository for run `runId`, which started with `knownBlobs`. Kept
 * for the run only: what a worker stored in a run that did not commit is in no index, and a
 * later run must store it again.
 */
export function workerRepository(
  secrets: RepositorySecrets,
  knownBlobs: SharedBlobIds,
  runId: string,
): Promise<WorkerRepository> {
  if (cached?.key !== runId) cached = { key: runId, repo: open(secrets, knownBlobs) };
  return cached.repo;
}

async function open(secrets: RepositorySecrets, knownBlobs: SharedBlobIds): Promise<WorkerRepository> {
  const sealer = createSealer(secrets.encryptionKey);
  const storage = await workerStorage(secrets.root);
  const known = new KnownBlobIds(knownBlobs);
  let packs: WorkerPacks | undefined;
  return {
    storage,
    sealer,
    ids: createBlobIdHasher(secrets.idKey),
    codec: createBlobCodec(await loadZstd()),
    gear: gearTable(secrets.chunkerSeed),
    chunker: secrets.chunker,
    owners: new OwnerNames(),
    known: (id) => known.has(id),
    runPacks: (create) => {
      packs ??= new WorkerPacks(create());
      return packs;
    },
  };
}
