/**
 * The repository's index as a whole: every index file merged into one BlobIndex (a damaged
 * file is reported and skipped: only the blobs it alone lists are missing), rebuilding it
 * from the pack headers when index files are lost or damaged, and compacting many index
 * files into one (written durably before the old ones are removed).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDirectory } from '../backup/durable.js';
import { IndexDamagedError, type IndexedPack, indexPath, readIndexFile, writeIndexFile } from './index-file.js';
import { BlobIndex } from './index-table.js';
import type { Sealer } from './pack-header.js';
import { PackDamagedError } from './pack-header.js';
import { readPackEntries } from './pack-reader.js';
import { packPath } from './pack-writer.js';

const HEX_ID = /^[0-9a-f]{64}$/;

export interface LoadedIndex {
  readonly index: BlobIndex;
  /** The index files read. */
  readonly files: string[];
  /** What could not be read, each with why; the rest of the index is whole. */
  readonly damaged: Array<IndexDamagedError | PackDamagedError>;
}

/** The ids of REPO/index/ (anything else there is not an index file and is skipped). */
export function indexFileIds(repo: string): string[] {
  const folder = join(repo, 'index');
  return existsSync(folder)
    ? readdirSync(folder)
        .filter((name) => HEX_ID.test(name))
        .sort()
    : [];
}

/** Every index file merged; a blob listed in several packs is found in the first. */
export function loadIndex(repo: string, sealer: Sealer): LoadedIndex {
  const index = new BlobIndex();
  const files: string[] = [];
  const damaged: LoadedIndex['damaged'] = [];
  for (const id of indexFileIds(repo)) {
    try {
      for (const pack of readIndexFile(repo, id, sealer)) index.addPack(pack.id, pack.entries);
      files.push(id);
    } catch (error) {
      if (!(error instanceof IndexDamagedError)) throw error;
      damaged.push(error);
    }
  }
  return { index, files, damaged };
}

/** The ids of every pack under REPO/data/XX/. */
export function packIds(repo: string): string[] {
  const data = join(repo, 'data');
  if (!existsSync(data)) return [];
  return readdirSync(data)
    .filter((folder) => /^[0-9a-f]{2}$/.test(folder))
    .flatMap((folder) => readdirSync(join(data, folder)).filter((name) => HEX_ID.test(name) && name.startsWith(folder)))
    .sort();
}

/** The index made from the pack headers alone (for a lost or damaged index); damaged packs are reported. */
export function rebuildIndex(repo: string, sealer: Sealer): LoadedIndex {
  const index = new BlobIndex();
  const damaged: LoadedIndex['damaged'] = [];
  for (const id of packIds(repo)) {
    try {
      index.addPack(id, readPackEntries(packPath(repo, id), sealer));
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
export function compactIndex(
  repo: string,
  sealer: Sealer,
  index: BlobIndex,
  replaces: readonly string[],
  blobsPerFile = BLOBS_PER_INDEX_FILE,
): string[] {
  const written: string[] = [];
  let group: IndexedPack[] = [];
  let blobs = 0;
  const write = () => {
    written.push(writeIndexFile(repo, sealer, group));
    group = [];
    blobs = 0;
  };
  for (const pack of index.packs()) {
    if (blobs > 0 && blobs + pack.entries.length > blobsPerFile) write();
    group.push(pack);
    blobs += pack.entries.length;
  }
  if (group.length > 0) write();
  for (const old of replaces) if (!written.includes(old)) rmSync(indexPath(repo, old), { force: true });
  fsyncDirectory(join(repo, 'index'));
  return written;
}

/**
 * The packs the index names that are not under data/ (lost or removed by hand): the blobs
 * found only there are missing, and verify reports them.
 */
export function missingPacks(repo: string, index: BlobIndex): string[] {
  const present = new Set(packIds(repo));
  return index.packIds().filter((id) => !present.has(id));
}
