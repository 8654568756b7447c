/**
 * Resuming an interrupted backup (as restic does): a run killed by Ctrl-C, kill -9 or a crash
 * leaves the packs its workers completed in data/, listed by no index. Once the next run has
 * loaded the index, each such pack is checked (its bytes must hash to its name, so a pack torn
 * by a power loss is out, and its header must open with the repository's key and parse) and
 * the good ones are listed in a new index file, added to the loaded index: the run, its
 * workers (which load the run's index files) and its tree writer then know their blobs and do
 * not store them again. Damaged ones are left as they are, for prune.
 *
 * The index is written now rather than with the run's own at its end so that a second
 * interruption loses nothing either. Its blobs are used by no snapshot until a backup commits
 * one that uses them; the next prune removes those no snapshot uses, as it removes what any
 * interrupted run left. A pack of a backup running beside this one may be taken over too: it
 * is complete (packs are renamed into data/ whole), and listing a pack twice is harmless.
 * Call with the lock held, before the run hands the index to anything.
 */
import { writeIndexFile } from '../repo/index-file.js';
import type { LoadedIndex } from '../repo/index-load.js';
import type { PackEntry } from '../repo/pack-header.js';
import { packMatchesId, readPackEntries } from '../repo/pack-reader.js';
import { packName } from '../repo/pack-writer.js';
import type { Repository } from '../repo/repository.js';

export interface ResumedPacks {
  /** Packs taken over: their blobs are known to this run. */
  readonly packs: number;
  readonly blobs: number;
  readonly bytes: number;
  /** Unlisted packs that failed a check (named with why), left for prune. */
  readonly damaged: readonly string[];
}

/**
 * Takes over the good unlisted packs into `loaded` (its index and files) and a new index file.
 * `inData`: the packs under data/ (index-load.ts's packIds), listed by the caller, which needs
 * them too: over SFTP or S3 a listing of data/ is 257 requests.
 */
export async function resumeInterruptedRun(
  repo: Repository,
  loaded: LoadedIndex,
  inData: readonly string[],
): Promise<ResumedPacks> {
  const listed = new Set(loaded.index.packIds());
  const adopted: { id: string; entries: PackEntry[] }[] = [];
  const damaged: string[] = [];
  for (const id of inData) {
    if (listed.has(id)) continue;
    try {
      if (!(await packMatchesId(repo.storage, id))) {
        damaged.push(`pack ${id.slice(0, 16)}: its bytes do not hash to its name (torn or changed)`);
        continue;
      }
      const entries = await readPackEntries(repo.storage, id, repo.sealer);
      if (entries.length > 0) adopted.push({ id, entries });
    } catch (error) {
      // Removed meanwhile (a prune, or a run that was only slow), unreadable, or damaged: not ours to take.
      damaged.push(`pack ${id.slice(0, 16)}: ${(error as Error).message}`);
    }
  }
  if (adopted.length === 0) return { packs: 0, blobs: 0, bytes: 0, damaged };
  // The interrupted run may not have made its packs durable: they must be before an index lists them.
  await repo.storage.flush(adopted.map((p) => packName(p.id)));
  const file = await writeIndexFile(
    repo.storage,
    repo.sealer,
    adopted.map((p) => ({ id: p.id, entries: p.entries })),
  );
  loaded.files.push(file);
  for (const pack of adopted) loaded.index.addPack(pack.id, pack.entries);
  return {
    packs: adopted.length,
    blobs: adopted.reduce((n, p) => n + p.entries.length, 0),
    bytes: adopted.reduce((n, p) => n + p.entries.reduce((m, e) => m + e.sealedLength, 0), 0),
    damaged,
  };
}

/**
 * Removes what an interrupted run left under tmp/ (call with the lock held). Returns whether
 * anything was there: then that run may have left packs no index lists, worth a prune.
 */
export async function cleanLeftovers(repo: Repository): Promise<boolean> {
  const leftovers = await repo.storage.list('tmp');
  for (const name of leftovers) await repo.storage.remove(`tmp/${name}`, { durable: false });
  return leftovers.length > 0;
}
