/**
 * The task module of format-2 backup workers (everything here runs inside a worker).
 *
 * storeEntries: capture, read, chunk and store a batch of entries (store-entries.ts).
 */
import { defineTasks } from 'tandem/tasks';
import { fileReader } from '../fs/reader.js';
import type { StoreEntriesRequest, StoreEntriesResult } from './protocol.js';
import { storeEntriesWith } from './store-entries.js';
import { workerRepository } from './worker-repository.js';

async function storeEntries(request: StoreEntriesRequest): Promise<StoreEntriesResult> {
  const repo = await workerRepository(request.secrets, request.knownBlobs, request.runId);
  return storeEntriesWith(fileReader(), repo, request);
}

/** The task runBackup sends batches to by default; tests give another built on storeEntriesWith. */
export type StoreEntriesTask = (request: StoreEntriesRequest) => Promise<StoreEntriesResult>;

export default defineTasks(import.meta.url, { storeEntries });
