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
 * How every backup worker starts (tandem's initializer: the backup's pool, and the parent reader
 * of parent-in-worker.ts): this module, and so everything a batch or the parent's read needs,
 * is loaded by running it, and the storage at `location` is opened for the work to come (over
 * SFTP or S3: loading ssh2 or the AWS SDK, connecting, logging in), while the main thread opens
 * the repository and reads its index; without a location (one that does not parse: the opening
 * says why), only the modules. A failure is not kept: the first batch opens the storage again
 * and reports its own.
 */
async function startWorker(location?: string): Promise<void> {
  if (location !== undefined) await workerStorage(location).catch(() => {});
}

/** The task runBackup sends batches to by default; tests give another built on storeEntriesWith. */
export type StoreEntriesTask = (request: StoreEntriesRequest) => Promise<StoreEntriesResult>;

export default defineTasks(import.meta.url, { storeEntries, readParentFiles, startWorker });
