/**
 * The task module the hashing workers run (everything here runs inside a worker thread).
 *
 * One task, hashBatch: a batch of paths in, a digest or a reason per path out. The open and
 * read happen here, through the file-system layer (fs/), not in the main thread, so the main
 * thread only walks directories and prints. A batch does at most BATCH_BYTE_BUDGET of
 * reading; big files and the rest of an exhausted batch go back to the main thread to be
 * sent again, so no worker sits on a long tail while another is idle.
 */
import { defineTasks } from 'tandem/tasks';
import { ALONE_ABOVE_BYTES, BATCH_BYTE_BUDGET, eachHash, eachRead } from '../fs/batch-reads.js';
import type { FileReader } from '../fs/file-reader.js';
import { fileReader } from '../fs/reader.js';
import type { HashBatchRequest, HashBatchResult } from './batch-protocol.js';
import { BatchResults } from './batch-results.js';
import { digestBytes } from './blake3-mode.js';
import { createBlake3Digester, digesterFor, digestInReader } from './digesters.js';
import { hashLargeFile } from './hash-large-file.js';

/**
 * Hashes one batch with `reader`: inside the reader (in C when it is the native one) where it
 * can, else from the bytes it reads into its arena (see digestInReader).
 */
export function hashBatchWith(reader: FileReader, request: HashBatchRequest): HashBatchResult {
  const { list, algorithm } = request;
  const count = list.flags.length;
  const results = new BatchResults(count, digestBytes(algorithm, request.blake3));
  const deferAbove = count > 1 || request.inMainThread ? ALONE_ABOVE_BYTES : Number.POSITIVE_INFINITY;
  // b3sum's keyed, derive-key and extended-output modes are hashed from the arena: the reader
  // hashes plain BLAKE3 only.
  const inReader = request.blake3 ? undefined : digestInReader(reader, algorithm);
  let done: number;
  if (inReader !== undefined) {
    const options = {
      deferAbove,
      byteBudget: BATCH_BYTE_BUDGET,
      algorithm: inReader,
      digests: results.digests,
      reading: request.reading,
    };
    done = eachHash(reader, list, options, (i, outcome) => results.record(i, outcome));
  } else {
    const digester = request.blake3 ? createBlake3Digester(request.blake3) : digesterFor(algorithm);
    const options = { deferAbove, byteBudget: BATCH_BYTE_BUDGET, reading: request.reading };
    done = eachRead(reader, list, options, (i, outcome) => {
      if (outcome.kind === 'read') digester.update(outcome.bytes);
      else if (outcome.kind === 'large') {
        const failure = hashLargeFile(outcome.file, digester);
        if (failure) {
          results.dropDigest(i, digester);
          results.failed(i, failure);
          return;
        }
      }
      results.record(i, outcome, digester);
    });
  }
  if (done < count) results.sendLater(done);
  return results.toResult();
}

function hashBatch(request: HashBatchRequest): HashBatchResult {
  return hashBatchWith(fileReader(), request);
}

/**
 * Run once in each worker a command starts ahead of its first batch (pool/early-start.ts): the
 * worker then imports this module and loads the reader (the native addon) while the main
 * thread is still loading and walking, not when the first batch comes.
 */
function prepareReader(): void {
  fileReader();
}

/** The task a HashEngine runs by default; tests give it another built on hashBatchWith. */
export type HashBatchTask = (request: HashBatchRequest) => HashBatchResult;

export default defineTasks(import.meta.url, { hashBatch, prepareReader });
