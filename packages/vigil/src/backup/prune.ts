/**
 * Prune for format 2: removes what no snapshot uses. Called with the lock held, after forget
 * removed snapshots (or alone, to clear what interrupted runs left).
 *
 * 1. Mark: every tree and chunk reachable from every snapshot. If any snapshot or tree
 *    cannot be read, nothing is removed: what it uses is unknown, and removing blindly could
 *    turn a damaged snapshot into a lost one (verify names it; forget it first).
 * 2. Sweep, in an order that is safe at every step of a crash:
 *    a. packs whose blobs are partly unused are repacked: the used blobs are copied (opened
 *       and sealed again, so a damaged blob is caught here, not copied) into new packs,
 *       made durable;
 *    b. one new index file lists every pack that stays (compaction), made durable;
 *    c. the old index files are removed;
 *    d. the packs nobody needs (unused, repacked, or listed by no index: left by a crashed
 *       run) are removed.
 *    Killed after a, new packs no index lists are left (the next prune removes them); after
 *    b, old and new index files both list packs that all exist; after c, the old packs are
 *    listed by no index (the next prune removes them). No step leaves a snapshot needing a
 *    blob that is not in a pack an index lists.
 */
import { rmSync } from 'node:fs';
import { RepositoryError } from '../errors.js';
import { BlobReader } from '../repo/blob-reader.js';
import type { BlobCodec } from '../repo/compression.js';
import { indexName, writeIndexFile } from '../repo/index-file.js';
import { indexFileIds, loadIndex, packIds } from '../repo/index-load.js';
import type { BlobIndex } from '../repo/index-table.js';
import { PackReader } from '../repo/pack-reader.js';
import { PackWriter, packName, publishPacks, type StagedPack, type WrittenPack } from '../repo/pack-writer.js';
import type { Repository } from '../repo/repository.js';
import { listSnapshots } from '../repo/snapshot-store.js';
import { fetchSnapshotTrees } from '../repo/tree-fetch.js';
import { count } from '../report/plural.js';
import { boundedMap } from '../storage/bounded-map.js';
import type { CheckpointHook } from './checkpoints.js';

/** Tree reads in flight while marking (as for a backup's parent snapshot, parent-snapshot.ts). */
const TREES_IN_FLIGHT = 16;

export interface PruneResult {
  readonly removedPacks: number;
  readonly repackedPacks: number;
  readonly removedBlobs: number;
  /** Bytes of pack files removed, less those written anew. */
  readonly freedBytes: number;
  readonly keptBlobs: number;
  /** Packs the repository holds after the prune (each listed by the index). */
  readonly keptPacks: number;
}

export async function prune(repo: Repository, codec: BlobCodec, checkpoint?: CheckpointHook): Promise<PruneResult> {
  const { storage } = repo;
  const loaded = await loadIndex(storage, repo.sealer);
  if (loaded.damaged.length > 0) {
    throw new RepositoryError(
      `not pruning: ${count(loaded.damaged.length, 'index file')} cannot be read (${loaded.damaged[0]?.message}); ` +
        'run vigil verify to see what is damaged',
    );
  }
  const used = await markUsed(repo, codec, loaded.index);
  const indexFilesBefore = await indexFileIds(storage);

  const keep: { id: string; entries: WrittenPack['entries'] }[] = [];
  const remove = new Set<string>(await packIds(storage)); // every pack not kept goes, listed or not
  const repack: { id: string; entries: WrittenPack['entries'] }[] = [];
  let removedBlobs = 0;
  let keptBlobs = 0;
  for (const pack of loaded.index.packs()) {
    const usedHere = pack.entries.filter((e) => used.has(e.id.toString('latin1')));
    keptBlobs += usedHere.length;
    removedBlobs += pack.entries.length - usedHere.length;
    if (usedHere.length === pack.entries.length) {
      keep.push(pack);
      remove.delete(pack.id);
    } else if (usedHere.length > 0) repack.push({ id: pack.id, entries: usedHere });
  }
  if (remove.size === 0 && indexFilesBefore.length <= 1) {
    return { removedPacks: 0, repackedPacks: 0, removedBlobs: 0, freedBytes: 0, keptBlobs, keptPacks: keep.length };
  }

  let freedBytes = 0;
  const written = await repackBlobs(repo, repack);
  for (const pack of written) freedBytes -= pack.size;
  await checkpoint?.('during-prune');
  const newIndex = await writeIndexFile(storage, repo.sealer, [
    ...keep.map((p) => ({ id: p.id, entries: p.entries })),
    ...written.map((p) => ({ id: p.id, entries: p.entries })),
  ]);
  const oldIndexFiles = indexFilesBefore.filter((id) => id !== newIndex).map(indexName);
  await storage.removeAll(oldIndexFiles, { durable: false });
  await storage.flush(oldIndexFiles);
  // Sizes first (overlapped: a round trip each on a remote repository), then one removal of
  // them all (S3: one request per 1000 packs).
  const removed = [...remove].map(packName);
  for (const size of await boundedMap(removed, (name) => storage.size(name))) freedBytes += size ?? 0;
  await storage.removeAll(removed, { durable: false });
  await storage.flush(removed);
  return {
    removedPacks: remove.size - repack.length,
    repackedPacks: repack.length,
    removedBlobs,
    freedBytes,
    keptBlobs,
    keptPacks: keep.length + written.length,
  };
}

/** Ids (latin1) of every tree and chunk some snapshot reaches; throws if any cannot be read. */
async function markUsed(repo: Repository, codec: BlobCodec, index: BlobIndex): Promise<Set<string>> {
  const listing = await listSnapshots(repo);
  if (listing.damaged.length > 0) {
    const first = listing.damaged[0] as { id: string; error: Error };
    throw new RepositoryError(
      `not pruning: snapshot ${first.id.slice(0, 16)} cannot be read (${first.error.message}); what it uses is ` +
        'unknown. Remove it (vigil forget REPO ID) or repair the repository first',
    );
  }
  const used = new Set<string>();
  const reader = new BlobReader(repo.storage, index, repo.sealer, repo.ids, codec);
  try {
    for (const { id, snapshot } of listing.snapshots) {
      used.add(snapshot.tree.toString('latin1'));
      let damage: RepositoryError | undefined;
      // The marks need no order: trees are read many at once (a round trip each on a remote repository).
      await fetchSnapshotTrees(reader, snapshot.tree, {
        concurrency: TREES_IN_FLIGHT,
        onTree: (_dir, _id, nodes) => {
          for (const entry of nodes) {
            if (entry.subtree) used.add(entry.subtree.toString('latin1'));
            for (const ref of entry.content ?? []) used.add(ref.id.toString('latin1'));
          }
        },
        onDamaged: (dir, error) => {
          damage ??= new RepositoryError(
            `not pruning: snapshot ${id.slice(0, 16)}: the tree of ${dir.toString('utf8')} cannot be read ` +
              `(${error.message}); what it uses is unknown. Run vigil verify`,
          );
        },
      });
      if (damage !== undefined) throw damage;
    }
  } finally {
    await reader.close();
  }
  return used;
}

/**
 * The used blobs of partly used packs, copied into new packs (each opened and sealed again),
 * each new pack moved into the repository durably as soon as it is complete.
 */
async function repackBlobs(
  repo: Repository,
  packs: readonly { id: string; entries: WrittenPack['entries'] }[],
): Promise<WrittenPack[]> {
  if (packs.length === 0) return [];
  const writer = new PackWriter(repo.storage.stagingDir, repo.sealer, { writeback: repo.storage.renamesIntoPlace });
  const out: WrittenPack[] = [];
  const publish = async (done: StagedPack | undefined) => {
    if (done === undefined) return;
    try {
      out.push(...(await publishPacks(repo.storage, [done])));
    } finally {
      rmSync(done.stagedPath, { force: true });
    }
  };
  try {
    for (const pack of packs) {
      const reader = await PackReader.open(repo.storage, pack.id);
      try {
        for (const entry of pack.entries) {
          const payload = await reader.readBlob(repo.sealer, entry);
          await publish(
            writer.add({
              kind: entry.kind,
              id: entry.id,
              payload,
              rawLength: entry.rawLength,
              compressed: entry.compressed,
            }),
          );
        }
      } finally {
        await reader.close();
      }
    }
    await publish(writer.flush());
  } catch (error) {
    writer.abort();
    throw error;
  }
  return out;
}
