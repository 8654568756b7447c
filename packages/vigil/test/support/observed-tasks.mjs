/**
 * Test only: the worker tasks of vigil's engines, run over observedReader (observed-reader.mjs)
 * instead of the reader a user's run picks. The engines run them when a test's entry
 * (observed-cli.mjs) passes them as hooks.
 */

import { defineTasks } from 'tandem/tasks';
import { storeEntriesWith } from '../../dist/backup/store-entries.js';
import { workerRepository } from '../../dist/backup/worker-repository.js';
import { inspectBatchWith } from '../../dist/baseline/inspect-tasks.js';
import { hashBatchWith } from '../../dist/scan/hash-tasks.js';
import { observedReader } from './observed-reader.mjs';

let reader;
const observed = () => {
  reader ??= observedReader();
  return reader;
};

export default defineTasks(import.meta.url, {
  hashBatch: (request) => hashBatchWith(observed(), request),
  inspectBatch: (request) => inspectBatchWith(observed(), request),
  storeEntries: async (request) =>
    storeEntriesWith(observed(), await workerRepository(request.secrets, request.knownBlobs, request.runId), request),
});
