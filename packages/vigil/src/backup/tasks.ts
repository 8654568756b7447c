/**
 * The task module of format-2 backup workers (everything here runs inside a worker).
 *
 * storeEntries: capture, read, chunk and store a batch of entries (store-entries.ts).
 * readParentFiles: the parent snapshot's files, read while the main thread walks (parent-snapshot.ts).
 */
import { defineTasks } from 'tandem/tasks';
import { fileReader } from '../fs/reader.js';
import { BlobIndex } from '../repo/index-table.js';
import { workerStorage } from '../storage/worker-storage.js';
import { type ParentFilesRead, readParentFiles as readFiles } from './parent-snapshot.js';
import type { ParentFilesRequest, StoreEntriesRequest, StoreEntriesResult } from './protocol.js';
import { storeEntriesWith } from './store-entries.js';
import { workerRepository } from './worker-repository.js';

async function storeEntries(request: StoreEntriesRequest): Promise<StoreEntriesResult> {
  const repo = await workerRepository(request.secrets, request.knownBlobs, request.runId);
  return storeEntriesWith(fileReader(), repo, request);
}

async function readParentFiles(request: ParentFilesRequest): Promise<ParentFilesRead> {
  const repo = await workerRepository(request.secrets, request.knownBlobs, request.runId);
  return readFiles(repo, BlobIndex.fromShared(request.index), Buffer.from(request.root), request.label);
}

/**
 * The parent reader's initializer (parent-in-worker.ts's ParentReader): this module is loaded by
 * running it, and the storage at `location` opened for the read to come. A failure is not kept:
 * the read opens the storage again and reports its own.
 */
async function prepareParentRead(location: string): Promise<void> {
  await workerStorage(location).catch(() => {});
}

/** The task runBackup sends batches to by default; tests give another built on storeEntriesWith. */
export type StoreEntriesTask = (request: StoreEntriesRequest) => Promise<StoreEntriesResult>;

export default defineTasks(import.meta.url, { storeEntries, readParentFiles, prepareParentRead });
