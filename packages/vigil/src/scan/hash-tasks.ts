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
import { ALGORITHM_INFO } from '../checksums/algorithms.js';
import { ALONE_ABOVE_BYTES, BATCH_BYTE_BUDGET, eachHash, eachRead } from '../fs/batch-reads.js';
import type { FileReader } from '../fs/file-reader.js';
import { fileReader } from '../fs/reader.js';
import type { HashBatchRequest, HashBatchResult } from './batch-protocol.js';
import { BatchResults } from './batch-results.js';
import { digestBytes } from './blake3-mode.js';
import { createBlake3Digester, digesterFor } from './digesters.js';

/**
 * Hashes one batch with `reader`. OpenSSL's digests are computed by the reader itself (in C
 * when it is the native one); BLAKE3 and xxh3 from the bytes it reads into its arena.
 */
export function hashBatchWith(reader: FileReader, request: HashBatchRequest): HashBatchResult {
  const { list, algorithm } = request;
  const count = list.flags.length;
  const results = new BatchResults(count, digestBytes(algorithm, request.blake3));
  const deferAbove = count > 1 ? ALONE_ABOVE_BYTES : Number.POSITIVE_INFINITY;
  const openssl = ALGORITHM_INFO[algorithm].openssl;
  let done: number;
  if (openssl) {
    const options = { deferAbove, byteBudget: BATCH_BYTE_BUDGET, algorithm: openssl, digests: results.digests };
    done = eachHash(reader, list, options, (i, outcome) => results.record(i, outcome));
  } else {
    const digester = request.blake3 ? createBlake3Digester(request.blake3) : digesterFor(algorithm);
    done = eachRead(reader, list, { deferAbove, byteBudget: BATCH_BYTE_BUDGET }, (i, outcome) => {
      if (outcome.kind === 'read') digester.update(outcome.bytes);
      else if (outcome.kind === 'large') {
        const failure = outcome.file.read((chunk) => digester.update(chunk));
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

/** The task a HashEngine runs by default; tests give it another built on hashBatchWith. */
export type HashBatchTask = (request: HashBatchRequest) => HashBatchResult;

export default defineTasks(import.meta.url, { hashBatch });
