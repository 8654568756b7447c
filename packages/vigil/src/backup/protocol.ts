/**
 * What crosses between a format-2 backup's main thread and its workers: a batch of entries
 * (any type: files, directories, links, devices...) in; per entry its node record and, for a
 * file, the blobs of its content out, with the packs the batch finished.
 * Buffers cross as Uint8Arrays (structured clone drops the Buffer class): `revive*` puts it back.
 */
import type { FileList } from '../fs/file-list.js';
import type { ReadingCounter } from '../fs/reading-bytes.js';
import type { Xattr } from '../fs/xattrs.js';
import type { CompressionMode } from '../repo/compression.js';
import type { SharedBlobIds, SharedBlobIndex } from '../repo/index-table.js';
import type { PackEntry } from '../repo/pack-header.js';
import type { RepositorySecrets } from '../repo/repository.js';
import type { ContentRef } from '../repo/tree.js';
import type { EntryRecord } from './entry-record.js';
import type { ParentRecords } from './parent-files.js';
import type { BatchPacks, OpenPackReport } from './run-packs.js';
import type { StoredEntries } from './stored-entries.js';

export interface StoreEntriesRequest {
  readonly secrets: RepositorySecrets;
  /** The blob ids of the index the run started with (shared, not copied): a worker skips storing those. */
  readonly knownBlobs: SharedBlobIds;
  /** This run: a worker's memory of the blobs it stored lasts one run. */
  readonly runId: string;
  readonly compression: CompressionMode;
  /** The entries, each with its source's prefix (`bases`): resolved beneath it, never through a link. */
  readonly list: FileList;
  /** Per entry, what the parent snapshot recorded of the file at this path (parent-files.ts: parentFileAt). */
  readonly parents: ParentRecords;
  /** The parent snapshot's start, nanoseconds (the racy-timestamp rule). */
  readonly parentTimeNs: string;
  /** Where the worker counts the pieces of big files as it reads them. */
  readonly reading?: ReadingCounter | undefined;
  /** Pack size to close at (tests make small packs). */
  readonly packTargetBytes?: number | undefined;
  /** Whether to hand back the batch's files as parent-table rows too (for the parent cache: parent-cache.ts). */
  readonly parentRows?: boolean | undefined;
}

/** What a worker needs to read the parent snapshot's files (tasks.ts's readParentFiles). */
export interface ParentFilesRequest {
  readonly secrets: RepositorySecrets;
  readonly knownBlobs: SharedBlobIds;
  readonly runId: string;
  /** The index the run started with, shared: where the parent's trees are. */
  readonly index: SharedBlobIndex;
  /** The parent snapshot's root tree id. */
  readonly root: Uint8Array;
  /** Names the parent in what is reported damaged. */
  readonly label: string;
}

/** A file as the parent snapshot recorded it: when its stat still matches, its content is reused unread. */
export interface ParentFile {
  readonly size: number;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly ino: bigint;
  readonly content: readonly ContentRef[];
  /** Its extended attributes, kept with the content (the same test: a change to them moves the ctime). */
  readonly xattrs?: readonly Xattr[];
}

export type StoredEntry =
  | {
      readonly ok: true;
      /** The entry as its tree records it (written by the worker: entry-record.ts). */
      readonly record: EntryRecord;
      /** A file's size (0 for other types), and the bytes its content refs cover (its holes excluded). */
      readonly size: number;
      readonly dataBytes: number;
      /** Why the entry is recorded but not restored (a socket), to say so. */
      readonly skipped?: string;
      /** Plaintext bytes of the blobs this entry added; and what they take in packs. */
      readonly newBytes: number;
      readonly storedBytes: number;
      readonly newBlobs: number;
    }
  | { readonly ok: false; readonly message: string; readonly vanished: boolean };

/** The batch's entries (in columns: stored-entries.ts), and what it did to the worker's packs (run-packs.ts). */
export interface StoreEntriesResult extends BatchPacks {
  readonly entries: StoredEntries;
  /** When asked: the batch's stored files as a parent table (parent-files.ts), as the snapshot's trees will hold them. */
  readonly parentRows?: Uint8Array;
}

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export function reviveOpenPack(report: OpenPackReport): OpenPackReport {
  return { ...report, entries: reviveEntries(report.entries) };
}

function reviveEntries(entries: readonly PackEntry[]): PackEntry[] {
  return entries.map((e) => ({ ...e, id: toBuffer(e.id) }));
}
