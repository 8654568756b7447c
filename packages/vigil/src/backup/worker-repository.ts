/**
 * What a backup worker keeps of the repository across the batches of a run: the sealer, the
 * id hasher, the codec, the gear table, the owners' names and the index the run started
 * with (loaded once per worker, so each can skip the blobs the repository has without asking
 * the main thread). Blobs other workers store during the run are not in it: two workers that
 * meet the same new chunk at once both store it, and the index keeps one (prune drops the
 * other copy).
 */
import type { BlobIdHasher } from '../repo/blob-id.js';
import { createBlobIdHasher } from '../repo/blob-id.js';
import type { ChunkerParams } from '../repo/chunker-params.js';
import { gearTable } from '../repo/chunker-params.js';
import { type BlobCodec, createBlobCodec } from '../repo/compression.js';
import { readIndexFile } from '../repo/index-file.js';
import { BlobIndex } from '../repo/index-table.js';
import { OwnerNames } from '../repo/owners.js';
import type { RepositorySecrets } from '../repo/repository.js';
import { createSealer, type Sealer } from '../repo/sealer.js';
import { loadZstd } from '../repo/zstd.js';

export interface WorkerRepository {
  readonly sealer: Sealer;
  readonly ids: BlobIdHasher;
  readonly codec: BlobCodec;
  readonly gear: Uint32Array;
  readonly chunker: ChunkerParams;
  readonly owners: OwnerNames;
  readonly known: (id: Buffer) => boolean;
}

let cached: { key: string; repo: Promise<WorkerRepository> } | undefined;

/** This worker's view of the repository for a run that started with `indexFiles`. */
export function workerRepository(secrets: RepositorySecrets, indexFiles: readonly string[]): Promise<WorkerRepository> {
  const key = `${secrets.root}\0${Buffer.from(secrets.idKey).toString('hex')}\0${indexFiles.join(',')}`;
  if (cached?.key !== key) cached = { key, repo: open(secrets, indexFiles) };
  return cached.repo;
}

async function open(secrets: RepositorySecrets, indexFiles: readonly string[]): Promise<WorkerRepository> {
  const sealer = createSealer(secrets.encryptionKey);
  const index = new BlobIndex();
  // The main thread loaded these same files and reported any damage; here a damaged one only
  // means its blobs are stored again.
  for (const id of indexFiles) {
    try {
      for (const pack of readIndexFile(secrets.root, id, sealer)) index.addPack(pack.id, pack.entries);
    } catch {}
  }
  return {
    sealer,
    ids: createBlobIdHasher(secrets.idKey),
    codec: createBlobCodec(await loadZstd()),
    gear: gearTable(secrets.chunkerSeed),
    chunker: secrets.chunker,
    owners: new OwnerNames(),
    known: (id) => index.has(id),
  };
}
