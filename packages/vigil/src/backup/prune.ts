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
import { statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { RepositoryError } from '../errors.js';
import { BlobReader } from '../repo/blob-reader.js';
import type { BlobCodec } from '../repo/compression.js';
import { indexPath, writeIndexFile } from '../repo/index-file.js';
import { indexFileIds, loadIndex, packIds } from '../repo/index-load.js';
import type { BlobIndex } from '../repo/index-table.js';
import { PackReader } from '../repo/pack-reader.js';
import { PackWriter, packPath, type WrittenPack } from '../repo/pack-writer.js';
import type { Repository } from '../repo/repository.js';
import { listSnapshots } from '../repo/snapshot-store.js';
import { walkSnapshotTree } from '../repo/tree-walk.js';
import { count } from '../report/plural.js';
import type { CheckpointHook } from './checkpoints.js';
import { fsyncDirectory } from './durable.js';

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
  const loaded = loadIndex(repo.root, repo.sealer);
  if (loaded.damaged.length > 0) {
    throw new RepositoryError(
      `not pruning: ${count(loaded.damaged.length, 'index file')} cannot be read (${loaded.damaged[0]?.message}); ` +
        'run vigil verify to see what is damaged',
    );
  }
  const used = markUsed(repo, codec, loaded.index);
  const indexFilesBefore = indexFileIds(repo.root);

  const keep: { id: string; entries: WrittenPack['entries'] }[] = [];
  const remove = new Set<string>(packIds(repo.root)); // every pack not kept goes, listed or not
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
  const written = repackBlobs(repo, repack);
  for (const pack of written) freedBytes -= pack.size;
  await checkpoint?.('during-prune');
  const newIndex = writeIndexFile(repo.root, repo.sealer, [
    ...keep.map((p) => ({ id: p.id, entries: p.entries })),
    ...written.map((p) => ({ id: p.id, entries: p.entries })),
  ]);
  for (const id of indexFilesBefore) if (id !== newIndex) unlinkSync(indexPath(repo.root, id));
  fsyncDirectory(join(repo.root, 'index'));
  const touched = new Set<string>();
  for (const id of remove) {
    const path = packPath(repo.root, id);
    freedBytes += statSync(path).size;
    unlinkSync(path);
    touched.add(id.slice(0, 2));
  }
  for (const folder of touched) fsyncDirectory(join(repo.root, 'data', folder));
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
function markUsed(repo: Repository, codec: BlobCodec, index: BlobIndex): Set<string> {
  const listing = listSnapshots(repo);
  if (listing.damaged.length > 0) {
    const first = listing.damaged[0] as { id: string; error: Error };
    throw new RepositoryError(
      `not pruning: snapshot ${first.id.slice(0, 16)} cannot be read (${first.error.message}); what it uses is ` +
        'unknown. Remove it (vigil forget REPO ID) or repair the repository first',
    );
  }
  const used = new Set<string>();
  const reader = new BlobReader(repo.root, index, repo.sealer, repo.ids, codec);
  try {
    for (const { id, snapshot } of listing.snapshots) {
      used.add(snapshot.tree.toString('latin1'));
      const onDamaged = (dir: Buffer, error: Error) => {
        throw new RepositoryError(
          `not pruning: snapshot ${id.slice(0, 16)}: the tree of ${dir.toString('utf8')} cannot be read ` +
            `(${error.message}); what it uses is unknown. Run vigil verify`,
        );
      };
      for (const { entry } of walkSnapshotTree(reader, snapshot.tree, onDamaged)) {
        if (entry.subtree) used.add(entry.subtree.toString('latin1'));
        for (const ref of entry.content ?? []) used.add(ref.id.toString('latin1'));
      }
    }
  } finally {
    reader.close();
  }
  return used;
}

/** The used blobs of partly used packs, copied into new packs (each opened and sealed again). */
function repackBlobs(
  repo: Repository,
  packs: readonly { id: string; entries: WrittenPack['entries'] }[],
): WrittenPack[] {
  if (packs.length === 0) return [];
  const writer = new PackWriter(repo.root, repo.sealer);
  const out: WrittenPack[] = [];
  try {
    for (const pack of packs) {
      const reader = PackReader.open(packPath(repo.root, pack.id));
      try {
        for (const entry of pack.entries) {
          const payload = reader.readBlob(repo.sealer, entry);
          const done = writer.add({
            kind: entry.kind,
            id: entry.id,
            payload,
            rawLength: entry.rawLength,
            compressed: entry.compressed,
          });
          if (done) out.push(done);
        }
      } finally {
        reader.close();
      }
    }
    const last = writer.flush();
    if (last) out.push(last);
  } catch (error) {
    writer.abort();
    throw error;
  }
  return out;
}
