/**
 * The repository's index as a whole: every index file merged into one BlobIndex (a damaged
 * file is reported and skipped: only the blobs it alone lists are missing), rebuilding it
 * from the pack headers when index files are lost or damaged, and compacting many index
 * files into one (written durably before the old ones are removed).
 */
import { boundedMap } from '../storage/bounded-map.js';
import type { Storage } from '../storage/storage.js';
import { IndexDamagedError, type IndexedPack, indexName, readIndexFile, writeIndexFile } from './index-file.js';
import { BlobIndex } from './index-table.js';
import type { Sealer } from './pack-header.js';
import { PackDamagedError } from './pack-header.js';
import { readPackEntries } from './pack-reader.js';

const HEX_ID = /^[0-9a-f]{64}$/;

export interface LoadedIndex {
  readonly index: BlobIndex;
  /** The index files read. */
  readonly files: string[];
  /** What could not be read, each with why; the rest of the index is whole. */
  readonly damaged: Array<IndexDamagedError | PackDamagedError>;
}

/** The ids of REPO/index/ (anything else there is not an index file and is skipped). */
export async function indexFileIds(storage: Storage): Promise<string[]> {
  return (await storage.list('index')).filter((name) => HEX_ID.test(name)).sort();
}

/** Every index file merged; a blob listed in several packs is found in the first. */
export async function loadIndex(storage: Storage, sealer: Sealer): Promise<LoadedIndex> {
  const index = new BlobIndex();
  const files: string[] = [];
  const damaged: LoadedIndex['damaged'] = [];
  const ids = await indexFileIds(storage);
  // Read side by side (a round trip or two each on a remote repository), merged in name order
  // as before. Eight at once: an index file may be tens of MB, and they are all held until parsed.
  const read = await boundedMap(
    ids,
    (id) =>
      readIndexFile(storage, id, sealer).catch((error: unknown) => {
        if (!(error instanceof IndexDamagedError)) throw error;
        return error;
      }),
    8,
  );
  for (const [at, packs] of read.entries()) {
    if (packs instanceof IndexDamagedError) {
      damaged.push(packs);
      continue;
    }
    for (const pack of packs) index.addPack(pack.id, pack.entries);
    files.push(ids[at] as string);
  }
  return { index, files, damaged };
}

const PACK_NAME = /^([0-9a-f]{2})\/([0-9a-f]{64})$/;

/** The ids of every pack under REPO/data/XX/. */
export async function packIds(storage: Storage): Promise<string[]> {
  const ids: string[] = [];
  for (const name of await storage.list('data')) {
    const match = PACK_NAME.exec(name);
    if (match !== null && (match[2] as string).startsWith(match[1] as string)) ids.push(match[2] as string);
  }
  return ids.sort();
}

/** The index made from the pack headers alone (for a lost or damaged index); damaged packs are reported. */
export async function rebuildIndex(storage: Storage, sealer: Sealer): Promise<LoadedIndex> {
  const index = new BlobIndex();
  const damaged: LoadedIndex['damaged'] = [];
  for (const id of await packIds(storage)) {
    try {
      index.addPack(id, await readPackEntries(storage, id, sealer));
    } catch (error) {
      if (!(error instanceof PackDamagedError)) throw error;
      damaged.push(error);
    }
  }
  return { index, files: [], damaged };
}

/** Blobs per index file that compaction writes: about 48 MB, far below what a reader accepts (MAX_INDEX_FILE_BYTES). */
export const BLOBS_PER_INDEX_FILE = 1_000_000;

/**
 * Writes `index` as few index files (one per BLOBS_PER_INDEX_FILE blobs, whole packs each),
 * then removes the files in `replaces` (the ones it was loaded from): a crash between leaves
 * both, which read back as the same index. Returns the ids of the files written.
 */
export async function compactIndex(
  storage: Storage,
  sealer: Sealer,
  index: BlobIndex,
  replaces: readonly string[],
  blobsPerFile = BLOBS_PER_INDEX_FILE,
): Promise<string[]> {
  const written: string[] = [];
  let group: IndexedPack[] = [];
  let blobs = 0;
  const write = async () => {
    written.push(await writeIndexFile(storage, sealer, group));
    group = [];
    blobs = 0;
  };
  for (const pack of index.packs()) {
    if (blobs > 0 && blobs + pack.entries.length > blobsPerFile) await write();
    group.push(pack);
    blobs += pack.entries.length;
  }
  if (group.length > 0) await write();
  const removed = replaces.filter((old) => !written.includes(old)).map(indexName);
  for (const name of removed) await storage.remove(name, { durable: false });
  await storage.flush(removed);
  return written;
}

/**
 * The packs the index names that are not under data/ (lost or removed by hand): the blobs
 * found only there are missing, and verify reports them.
 */
export async function missingPacks(storage: Storage, index: BlobIndex): Promise<string[]> {
  const present = new Set(await packIds(storage));
  return index.packIds().filter((id) => !present.has(id));
}
