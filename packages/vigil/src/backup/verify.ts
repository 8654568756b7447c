/**
 * Verifies a format-2 repository: what is stored is what was written, and every snapshot can
 * be restored. Each problem is a finding naming what it harms; checking goes on past it, so
 * one damaged pack, index file, tree or snapshot never hides the state of the rest.
 *
 * 1. Index files: each must hash to its name and open (a damaged one is named; its blobs
 *    are then looked for in the pack headers, so nothing it listed is lost to the check).
 * 2. Packs: the index must not name a pack that data/ lacks; with `readData`, every pack the
 *    index lists must hash to its name (any changed byte shows). Its blobs are opened once,
 *    by step 3: opening every blob here too decrypted the repository twice.
 * 3. Snapshots: each must open; every tree it reaches must read back (checked against its id)
 *    and decode; every chunk a file names must be in the index; with `readData`, every chunk
 *    is read and checked against its id too.
 */
import { BlobReader } from '../repo/blob-reader.js';
import type { BlobCodec } from '../repo/compression.js';
import { loadIndex, missingPacks, packIds, rebuildIndex } from '../repo/index-load.js';
import { checkPack } from '../repo/pack-reader.js';
import type { Repository } from '../repo/repository.js';
import { listSnapshots } from '../repo/snapshot-store.js';
import type { TreeNode } from '../repo/tree.js';
import { fetchSnapshotTrees } from '../repo/tree-fetch.js';
import { walkSnapshotTree } from '../repo/tree-walk.js';

/** Tree reads in flight when only the structure is checked (as for a backup's parent snapshot). */
const TREES_IN_FLIGHT = 16;
const SEP = Buffer.from('/');

/** The path of `name` in directory `dir`, as the walk gives it. */
function childPath(dir: Buffer, name: Buffer): Buffer {
  return dir.length === 1 ? Buffer.concat([dir, name]) : Buffer.concat([dir, SEP, name]);
}

export interface VerifyOptions {
  readonly repo: Repository;
  readonly codec: BlobCodec;
  /** Read every pack and chunk (slow: reads the whole repository), not only the structure. */
  readonly readData: boolean;
  /**
   * With `readData`: read only these of the index's packs and the chunks stored in them
   * (--read-data-subset; data-subset.ts chooses). Trees are always read whole.
   */
  readonly selectPacks?: (packIds: readonly string[]) => ReadonlySet<string>;
  /** Only these snapshots (ids); empty: all. */
  readonly snapshots?: readonly string[];
  readonly progress?: (line: string) => void;
}

export interface VerifyReport {
  readonly snapshotsChecked: number;
  readonly packsChecked: number;
  readonly chunksChecked: number;
  /** Packs under data/ that no index lists (left by an interrupted run; the next prune removes them). */
  readonly unlistedPacks: number;
  /** One line per problem, each naming what it harms. */
  readonly problems: readonly string[];
  /** Snapshots that cannot be restored whole. */
  readonly damagedSnapshots: readonly string[];
}

export async function verifyRepository(options: VerifyOptions): Promise<VerifyReport> {
  const { repo } = options;
  const problems: string[] = [];
  const loaded = await loadIndex(repo.storage, repo.sealer);
  let index = loaded.index;
  if (loaded.damaged.length > 0) {
    for (const error of loaded.damaged) problems.push(`index: ${error.message}`);
    // The blobs a damaged index file listed are still in their packs: find them there.
    const rebuilt = await rebuildIndex(repo.storage, repo.sealer);
    for (const pack of loaded.index.packs()) rebuilt.index.addPack(pack.id, pack.entries);
    index = rebuilt.index;
  }
  const lostPacks = new Set(await missingPacks(repo.storage, index));
  for (const pack of lostPacks) {
    problems.push(`pack ${pack.slice(0, 16)} is listed by the index but missing from data/: its blobs are lost`);
  }
  let packsChecked = 0;
  // Packs no index lists (an interrupted run's, torn perhaps by a power loss) are read by
  // nothing and removed by the next prune: counted, not checked.
  const listed = new Set(index.packIds());
  const unlistedPacks = (await packIds(repo.storage)).filter((id) => !listed.has(id)).length;
  const readPacks = options.selectPacks?.(index.packIds());
  if (options.readData) {
    for (const id of readPacks ?? listed) {
      if (lostPacks.has(id)) continue;
      packsChecked++;
      for await (const finding of checkPack(repo.storage, id)) {
        problems.push(`pack ${id.slice(0, 16)}: ${finding.message}`);
      }
    }
  }

  const reader = new BlobReader(repo.storage, index, repo.sealer, repo.ids, options.codec);
  const listing = await listSnapshots(repo);
  const damagedSnapshots: string[] = [];
  for (const { id, error } of listing.damaged) {
    problems.push(`snapshot ${id.slice(0, 16)}: ${error.message}`);
    damagedSnapshots.push(id);
  }
  const chosen =
    options.snapshots && options.snapshots.length > 0
      ? listing.snapshots.filter((s) => options.snapshots?.includes(s.id))
      : listing.snapshots;
  /** Chunks read so far: '' when sound, else what is wrong (a chunk shared by snapshots harms each). */
  const checkedChunks = new Map<string, string>();
  let chunksChecked = 0;
  try {
    for (const { id, snapshot } of chosen) {
      options.progress?.(`checking snapshot ${id.slice(0, 16)}`);
      const before = problems.length;
      const short = id.slice(0, 16);
      const onDamaged = (dir: Buffer, error: Error) =>
        problems.push(`snapshot ${short}: ${dir.toString('utf8')}: its tree cannot be read: ${error.message}`);
      /** The index check of one entry's chunks; the chunks to read back (readData) are returned. */
      const located = (path: Buffer, entry: TreeNode) => {
        const toRead: { id: Buffer; length: number; packId: string }[] = [];
        for (const ref of entry.content ?? []) {
          const place = index.find(ref.id);
          if (place === undefined || lostPacks.has(place.packId)) {
            const where =
              place === undefined ? 'no index lists it' : `its pack ${place.packId.slice(0, 16)} is missing`;
            const blob = ref.id.toString('hex').slice(0, 16);
            problems.push(`snapshot ${short}: ${path.toString('utf8')}: blob ${blob} is missing (${where})`);
            continue;
          }
          toRead.push({ id: ref.id, length: ref.length, packId: place.packId });
        }
        return toRead;
      };
      if (!options.readData) {
        // Structure only: no chunk is read, so the trees need no order and are read many at
        // once (a round trip each on a remote repository); the problems are sorted after.
        await fetchSnapshotTrees(reader, snapshot.tree, {
          concurrency: TREES_IN_FLIGHT,
          onTree: (dir, _id, nodes) => {
            for (const entry of nodes) located(childPath(dir, entry.node.name), entry);
          },
          onDamaged,
        });
        const found = problems.splice(before).sort();
        problems.push(...found);
      } else {
        for await (const { path, entry } of walkSnapshotTree(reader, snapshot.tree, onDamaged)) {
          for (const ref of located(path, entry)) {
            if (readPacks !== undefined && !readPacks.has(ref.packId)) continue;
            const key = ref.id.toString('latin1');
            let problem = checkedChunks.get(key);
            if (problem === undefined) {
              chunksChecked++;
              problem = await checkChunk(reader, ref.id, ref.length);
              checkedChunks.set(key, problem);
            }
            if (problem !== '') problems.push(`snapshot ${short}: ${path.toString('utf8')}: ${problem}`);
          }
        }
      }
      if (problems.length > before) damagedSnapshots.push(id);
    }
  } finally {
    await reader.close();
  }
  return { snapshotsChecked: chosen.length, packsChecked, chunksChecked, unlistedPacks, problems, damagedSnapshots };
}

/** '' when the chunk reads back, checked against its id, with the length the tree records; else why not. */
async function checkChunk(reader: BlobReader, id: Buffer, length: number): Promise<string> {
  try {
    await reader.readChunk(id, length);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}
