/**
 * `vigil copy`'s engine: snapshots of one repository (SRC) stored again in another (DST),
 * re-encrypted under DST's keys; only the blobs DST lacks are written.
 *
 * Blob ids are keyed per repository (blob-id.ts), so a blob's id in SRC says nothing about
 * its id in DST: every chunk is read from SRC (checked against its SRC id), named under DST's
 * id key and stored unless DST has it, and every tree is rewritten with the DST ids of its
 * chunks and subtrees (bottom-up), which gives it a DST id of its own. Chunk boundaries are
 * kept as SRC's chunker cut them: re-chunking under DST's secret chunker seed would cost a
 * second pass over every file for a better deduplication with DST's own backups (those of
 * the same files cut at other places), which a copy rarely has. Both maps (SRC id -> DST id)
 * live for the run, so what several snapshots share is read once. When both repositories
 * share their id key (a repository cloned by copying its files), ids are the same and a
 * subtree DST already holds is skipped unread, as restic's copy does.
 *
 * Crash safety is backup's (run-backup.ts): packs are flushed to disk, then one index file
 * lists them, then each snapshot file is committed; a marker under tmp/ tells the next
 * backup or forget that a run stopped early, so its unreferenced blobs are pruned.
 * A snapshot is not copied when DST holds one of the same time, host and sources whose root
 * tree is the one this copy makes (the same contents): copying twice changes nothing.
 */
import { randomBytes } from 'node:crypto';
import type { CheckpointHook } from '../backup/checkpoints.js';
import { BlobWriter } from '../repo/blob-writer.js';
import type { BlobCodec } from '../repo/compression.js';
import { writeIndexFile } from '../repo/index-file.js';
import { loadIndex } from '../repo/index-load.js';
import { packName } from '../repo/pack-writer.js';
import type { Repository } from '../repo/repository.js';
import type { Snapshot } from '../repo/snapshot-file.js';
import { listSnapshots, type StoredSnapshot, writeSnapshot } from '../repo/snapshot-store.js';
import { decodeTree, encodeTree, type TreeNode } from '../repo/tree.js';
import { joinPath, openSnapshotReading } from './snapshot-reading.js';

export interface CopyOptions {
  readonly from: Repository;
  readonly to: Repository;
  readonly codec: BlobCodec;
  /** SRC's snapshots to copy, oldest first. */
  readonly snapshots: readonly StoredSnapshot[];
  readonly log: (line: string) => void;
  /** Pack size to close at (tests make small packs). */
  readonly packTargetBytes?: number;
  /** Throws if the run lost DST's lock: called before the index is written and before the commit. */
  readonly assertLocked?: () => void | Promise<void>;
  /** Awaited at 'objects-stored', once every pack is in DST and nothing is indexed (tests stop the run there). */
  readonly checkpoint?: CheckpointHook | undefined;
}

export interface CopyOutcome {
  /** SRC id -> DST id of each snapshot written. */
  readonly copied: readonly { readonly from: string; readonly to: string }[];
  /** SRC snapshots DST held already (same time, host, sources and contents), with DST's id. */
  readonly present: readonly { readonly from: string; readonly to: string }[];
  /** SRC snapshots that could not be read whole (named on `log`): not copied. */
  readonly failed: readonly string[];
  readonly storedBlobs: number;
  readonly storedBytes: number;
}

export async function copySnapshots(options: CopyOptions): Promise<CopyOutcome> {
  const { from, to, log } = options;
  const runId = randomBytes(8).toString('hex');
  const marker = `tmp/copy-${runId}.running`;
  await to.storage.write(marker, Buffer.from(`${process.pid}\n`), { durable: false });
  const source = await openSnapshotReading(from, options.codec, log);
  const target = await loadIndex(to.storage, to.sealer);
  for (const error of target.damaged) log(`vigil: ${error.message}`);
  const sameIds = Buffer.from(from.secrets.idKey).equals(Buffer.from(to.secrets.idKey));
  const writer = new BlobWriter({
    storage: to.storage,
    sealer: to.sealer,
    ids: to.ids,
    codec: options.codec,
    compression: 'auto',
    known: (id) => target.index.has(id),
    durable: false,
    ...(options.packTargetBytes ? { packTargetBytes: options.packTargetBytes } : {}),
  });
  let storedBlobs = 0;
  let storedBytes = 0;
  const store = (kind: 'data' | 'tree', plain: Buffer): Buffer => {
    const stored = writer.store(kind, plain);
    if (stored.storedBytes > 0) {
      storedBlobs++;
      storedBytes += stored.storedBytes;
    }
    return stored.id;
  };
  /** SRC id (latin1) -> DST id, for chunks and trees alike. */
  const translated = new Map<string, Buffer>();
  const chunk = async (id: Buffer, length: number): Promise<Buffer> => {
    if (sameIds && target.index.has(id)) return id;
    const key = id.toString('latin1');
    let out = translated.get(key);
    if (out === undefined) {
      out = store('data', await source.reader.readChunk(id, length));
      translated.set(key, out);
    }
    return out;
  };
  const tree = async (id: Buffer, dir: Buffer): Promise<Buffer> => {
    if (sameIds && target.index.has(id)) return id;
    const key = id.toString('latin1');
    const known = translated.get(key);
    if (known !== undefined) return known;
    const nodes = decodeTree(await source.reader.read(id, 'tree'), `of ${dir.toString('utf8')}`);
    const rewritten: TreeNode[] = [];
    for (const entry of nodes) {
      const path = joinPath(dir, entry.node.name);
      let content: NonNullable<TreeNode['content']>[number][] | undefined;
      if (entry.content) {
        content = [];
        for (const ref of entry.content) content.push({ ...ref, id: await chunk(ref.id, ref.length) });
      }
      rewritten.push({
        ...entry,
        ...(content ? { content } : {}),
        ...(entry.subtree ? { subtree: await tree(entry.subtree, path) } : {}),
      });
    }
    const out = store('tree', encodeTree(rewritten));
    translated.set(key, out);
    return out;
  };

  const existing = (await listSnapshots(to)).snapshots;
  const present: { from: string; to: string }[] = [];
  const failed: string[] = [];
  const toWrite: { from: string; snapshot: Snapshot }[] = [];
  try {
    for (const { id, snapshot } of options.snapshots) {
      let root: Buffer;
      try {
        root = await tree(snapshot.tree, Buffer.from('/'));
      } catch (error) {
        failed.push(id);
        log(`vigil: snapshot ${id.slice(0, 8)} not copied: ${(error as Error).message}`);
        continue;
      }
      const same = existing.find((s) => sameSnapshot(s.snapshot, snapshot) && s.snapshot.tree.equals(root));
      if (same !== undefined) {
        present.push({ from: id, to: same.id });
        continue;
      }
      const { parent: _parentInSource, ...rest } = snapshot;
      toWrite.push({ from: id, snapshot: { ...rest, tree: root } });
      existing.push({ id: '', snapshot: { ...rest, tree: root } });
    }
    const packs = await writer.takePacks();
    await options.checkpoint?.('objects-stored');
    // As a backup commits: every pack durable, then the index listing them, then the snapshots.
    await to.storage.flush(packs.map((p) => packName(p.id)));
    await options.assertLocked?.();
    if (packs.length > 0) {
      await writeIndexFile(
        to.storage,
        to.sealer,
        packs.map((p) => ({ id: p.id, entries: p.entries })),
      );
    }
    await options.assertLocked?.();
    const copied: { from: string; to: string }[] = [];
    for (const { from: id, snapshot } of toWrite) copied.push({ from: id, to: await writeSnapshot(to, snapshot) });
    // A snapshot that failed may have left blobs no snapshot uses: the marker stays, so the next backup prunes.
    if (failed.length === 0) await to.storage.remove(marker, { durable: false });
    return { copied, present, failed, storedBlobs, storedBytes };
  } catch (error) {
    writer.abort();
    throw error;
  } finally {
    await source.reader.close();
  }
}

/** The same backup run's record: time, host and sources (tags and stats may be edited later; the tree is compared apart). */
function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  const paths = (s: Snapshot) => JSON.stringify([...s.sources].sort());
  return a.timeNs === b.timeNs && a.host === b.host && paths(a) === paths(b);
}
