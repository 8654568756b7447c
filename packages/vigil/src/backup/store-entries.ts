/**
 * Inside a backup worker: one batch of entries brought into a format-2 repository.
 *
 * Every entry's node record is captured relative to its parent directory's descriptor (the
 * parent is found beneath the entry's source with no symlink followed, so a directory swapped
 * for a link during the run leads nowhere outside the tree). A regular file the parent
 * snapshot recorded with the same size, mtime, ctime and inode keeps its recorded chunks
 * unread (vigil check's fast path, git's racy rule included). The other files are read by the
 * file-system layer (open beneath the source, fstat, read, fstat again), cut into
 * content-defined chunks, and each chunk the repository lacks is compressed and sealed into
 * this worker's pack. A file bigger than the reader's arena is read by its data ranges, so
 * the holes of a sparse file are never read nor stored.
 *
 * The blobs go into the pack this worker fills across the run's batches (run-packs.ts): a
 * result names blobs that are in a complete pack or in the one being filled, which the main
 * thread completes after the last batch and before it lists the packs in an index file.
 */
import { closeSync, constants, openSync } from 'node:fs';
import { decideFastPath } from '../baseline/fast-path.js';
import { eachRead, type LargeFile } from '../fs/batch-reads.js';
import { decodePaths, FileListBuilder } from '../fs/file-list.js';
import type { FileReader } from '../fs/file-reader.js';
import type { JsResolver } from '../fs/js-resolver.js';
import { parentResolver } from '../fs/parent-resolver.js';
import { O_PATH } from '../fs/proc-fd.js';
import { PathFlag, type StatRecord } from '../fs/records.js';
import { BlobWriter } from '../repo/blob-writer.js';
import { Chunker } from '../repo/chunker.js';
import { dataRanges } from '../repo/data-ranges.js';
import { MetaCallError } from '../repo/meta-errors.js';
import { captureEntry, type KnownXattrs, type MetaNode } from '../repo/metadata.js';
import type { ContentRef } from '../repo/tree.js';
import { entryRecord } from './entry-record.js';
import { ParentFilesWriter, parentFileAt } from './parent-files.js';
import type { ParentFile, StoreEntriesRequest, StoreEntriesResult } from './protocol.js';
import { type StoredEntries, StoredEntriesWriter } from './stored-entries.js';
import type { WorkerRepository } from './worker-repository.js';

const SLASH = 0x2f;

/** An entry as the worker captured it; it leaves as a StoredEntry, its record in text. */
type CapturedEntry =
  | {
      readonly ok: true;
      readonly node: MetaNode;
      readonly content?: readonly ContentRef[];
      readonly newBytes: number;
      readonly storedBytes: number;
      readonly newBlobs: number;
    }
  | { readonly ok: false; readonly message: string; readonly vanished: boolean };

/** What crosses to the main thread: each entry's record text, and the figures the run counts. */
function storedEntries(entries: readonly CapturedEntry[]): StoredEntries {
  const writer = new StoredEntriesWriter(entries.length);
  for (const entry of entries) {
    if (!entry.ok) {
      writer.failed(entry.message, entry.vanished);
      continue;
    }
    const { node, content } = entry;
    let dataBytes = 0;
    if (content !== undefined) for (const ref of content) dataBytes += ref.length;
    writer.ok(
      entryRecord(node, content),
      {
        size: node.size,
        dataBytes,
        newBytes: entry.newBytes,
        storedBytes: entry.storedBytes,
        newBlobs: entry.newBlobs,
      },
      node.skipped,
    );
  }
  return writer.finish();
}

/** What one file's chunks added to the repository. */
interface Stored {
  content: ContentRef[];
  newBytes: number;
  storedBytes: number;
  newBlobs: number;
}

export async function storeEntriesWith(
  reader: FileReader,
  repo: WorkerRepository,
  request: StoreEntriesRequest,
): Promise<StoreEntriesResult> {
  const { list, parents } = request;
  const paths = decodePaths(list.paths);
  const packs = repo.runPacks(
    () =>
      new BlobWriter({
        storage: repo.storage,
        sealer: repo.sealer,
        ids: repo.ids,
        codec: repo.codec,
        compression: request.compression,
        known: repo.known,
        // The main thread flushes the storage once for every pack of the run (run-backup.ts).
        durable: false,
        ...(request.packTargetBytes ? { packTargetBytes: request.packTargetBytes } : {}),
      }),
  );
  const { writer } = packs;
  const entries = new Array<CapturedEntry>(paths.length);
  const nodes = new Array<MetaNode | undefined>(paths.length);
  const toRead: number[] = [];
  const parentTimeNs = BigInt(request.parentTimeNs);
  const resolver = parentResolver();
  try {
    paths.forEach((path, i) => {
      const parent = parentFileAt(parents, i);
      // An unchanged file keeps its recorded attributes: no listxattr (a tenth of a worker's time).
      const known: KnownXattrs | undefined =
        parent == null || parent.xattrs === undefined
          ? undefined
          : (node) => (trusted(parent, node, parentTimeNs) ? parent.xattrs : undefined);
      const captured = capture(resolver, path, list.bases[i] as number, repo, known);
      if ('message' in captured) {
        entries[i] = { ok: false, ...captured };
        return;
      }
      const node = captured.node;
      nodes[i] = node;
      if (node.type !== 'file') {
        entries[i] = { ok: true, node, newBytes: 0, storedBytes: 0, newBlobs: 0 };
        return;
      }
      if (parent != null && trusted(parent, node, parentTimeNs)) {
        entries[i] = { ok: true, node, content: parent.content, newBytes: 0, storedBytes: 0, newBlobs: 0 };
      } else toRead.push(i);
    });
  } finally {
    resolver.close();
  }

  if (toRead.length > 0) {
    const reads = new FileListBuilder();
    // Every name of a hard-linked file is read: the main thread decides which name stores it.
    for (const i of toRead)
      reads.add(paths[i] as Buffer, (list.flags[i] as number) | PathFlag.readLinked, list.bases[i] as number);
    try {
      eachRead(
        reader,
        reads.build(),
        { deferAbove: Number.POSITIVE_INFINITY, reading: request.reading },
        (k, outcome) => {
          const i = toRead[k] as number;
          const node = nodes[i] as MetaNode;
          switch (outcome.kind) {
            case 'read':
              entries[i] = stored(node, outcome.stat, storeWhole(writer, repo, outcome.bytes));
              break;
            case 'large': {
              const result = storeRanges(writer, repo, outcome.file);
              entries[i] =
                'message' in result
                  ? { ok: false, message: result.message, vanished: false }
                  : stored(node, outcome.stat, result);
              break;
            }
            case 'notRegular':
              entries[i] = { ok: false, message: `no longer a regular file (now ${outcome.what})`, vanished: false };
              break;
            case 'failed':
            case 'changed':
              entries[i] = { ok: false, message: outcome.failure.message, vanished: outcome.failure.code === 'ENOENT' };
              break;
            default:
              throw new Error(
                `storeEntries: the reader deferred path ${i} (${outcome.kind}), which it was not asked to`,
              );
          }
        },
      );
    } catch (error) {
      writer.abort();
      throw error;
    }
  }
  // The pack being filled stays open for the next batch; the main thread completes it after the last (run-packs.ts).
  return {
    entries: storedEntries(entries),
    ...(request.parentRows ? { parentRows: parentRows(paths, entries) } : {}),
    ...(await packs.endBatch()),
  };
}

/**
 * The batch's files as a parent table: those with content and a change stamp, as the parent's
 * trees would give them to the next backup (parent-snapshot.ts's onTree takes the same).
 */
function parentRows(paths: readonly Buffer[], entries: readonly CapturedEntry[]): Uint8Array {
  const rows = new ParentFilesWriter();
  entries.forEach((entry, i) => {
    if (!entry.ok || entry.node.type !== 'file' || entry.content === undefined) return;
    const { node } = entry;
    const { stamp } = node;
    if (stamp === undefined) return;
    rows.add(paths[i] as Buffer, NO_NAME, {
      size: node.size,
      mtimeNs: node.mtimeNs,
      ctimeNs: stamp.ctimeNs,
      ino: stamp.ino,
      content: entry.content,
      ...(node.xattrs ? { xattrs: node.xattrs } : {}),
    });
  });
  return rows.finish();
}

const NO_NAME = Buffer.alloc(0);

/** The node, with size, mtime and change stamp from the fstat the content was read under (they agree with it). */
function stored(node: MetaNode, stat: StatRecord, result: Stored): CapturedEntry {
  const fresh: MetaNode = {
    ...node,
    size: stat.size,
    mtimeNs: stat.mtimeNs,
    stamp: { ctimeNs: stat.ctimeNs, ino: stat.ino },
  };
  return { ok: true, node: fresh, ...result };
}

/** A file read whole into the arena: one chunk if it is under the minimum chunk size, else chunked. */
function storeWhole(writer: BlobWriter, repo: WorkerRepository, bytes: Buffer): Stored {
  const out: Stored = { content: [], newBytes: 0, storedBytes: 0, newBlobs: 0 };
  if (bytes.length === 0) return out;
  if (bytes.length < repo.chunker.minSize) {
    add(out, writer, 0, bytes);
    return out;
  }
  const chunker = new Chunker(repo.gear, { params: repo.chunker });
  for (const chunk of chunker.push(bytes)) add(out, writer, chunk.offset, chunk.bytes);
  for (const chunk of chunker.finish()) add(out, writer, chunk.offset, chunk.bytes);
  return out;
}

/** A big file, streamed by its data ranges: each range is chunked on its own (a chunk never spans a hole). */
function storeRanges(writer: BlobWriter, repo: WorkerRepository, file: LargeFile): Stored | { message: string } {
  const out: Stored = { content: [], newBytes: 0, storedBytes: 0, newBlobs: 0 };
  let firstStart = 0;
  let chunker: Chunker | undefined;
  const failure = file.readRanges(
    (fd, size) => {
      const ranges = dataRanges(fd, size);
      firstStart = ranges[0]?.[0] ?? 0;
      return ranges;
    },
    (piece) => {
      chunker ??= new Chunker(repo.gear, { params: repo.chunker, startOffset: firstStart });
      for (const chunk of chunker.push(piece)) add(out, writer, chunk.offset, chunk.bytes);
    },
    (next) => {
      if (chunker) for (const chunk of chunker.finish(next)) add(out, writer, chunk.offset, chunk.bytes);
    },
  );
  return failure ? { message: failure.message } : out;
}

function add(out: Stored, writer: BlobWriter, offset: number, bytes: Buffer): void {
  const blob = writer.store('data', bytes);
  out.content.push({ offset, id: blob.id, length: bytes.length });
  if (blob.storedBytes > 0) {
    out.newBytes += bytes.length;
    out.storedBytes += blob.storedBytes;
    out.newBlobs++;
  }
}

/** The parent snapshot's chunks still hold: same size, times and inode, and not racy. */
function trusted(parent: ParentFile, node: MetaNode, parentTimeNs: bigint): boolean {
  if (node.stamp === undefined) return false;
  return decideFastPath({
    current: { size: BigInt(node.size), mtimeNs: node.mtimeNs, ctimeNs: node.stamp.ctimeNs, ino: node.stamp.ino },
    stored: { size: BigInt(parent.size), mtimeNs: parent.mtimeNs, ctimeNs: parent.ctimeNs, ino: parent.ino },
    storedHashed: true,
    recordedAtNs: parentTimeNs,
  }).trusted;
}

/**
 * The node record of `path`. Beneath a source (`base` > 0) its parent directory is resolved
 * with no symlink followed; a source itself, or a directory above one, was named by the user,
 * so its parent is opened by path.
 */
function capture(
  resolver: JsResolver,
  path: Buffer,
  base: number,
  repo: WorkerRepository,
  known: KnownXattrs | undefined,
): { node: MetaNode } | { message: string; vanished: boolean } {
  let dirFd: number;
  let name: Buffer;
  let own = false;
  if (base > 0 && path.length > base) {
    const parent = resolver.parent(path, base);
    if ('error' in parent) return failure(parent.error);
    dirFd = parent.fd;
    name = parent.name;
  } else {
    const slash = path.lastIndexOf(SLASH);
    name = path.subarray(slash + 1);
    try {
      dirFd = openSync(slash <= 0 ? '/' : path.subarray(0, slash), O_PATH | constants.O_DIRECTORY);
    } catch (error) {
      return failure(error);
    }
    own = true;
  }
  try {
    return { node: captureEntry(dirFd, name, repo.owners, undefined, known) };
  } catch (error) {
    return failure(error);
  } finally {
    if (own) closeSync(dirFd);
  }
}

function failure(error: unknown): { message: string; vanished: boolean } {
  if (error instanceof MetaCallError) return { message: error.message, vanished: error.systemCode === 'ENOENT' };
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined) throw error;
  return { message: (error as Error).message, vanished: code === 'ENOENT' };
}
