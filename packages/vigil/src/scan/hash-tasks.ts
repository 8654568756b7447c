/**
 * The task module the hashing workers run (everything here runs inside a worker thread).
 *
 * One task, hashBatch: a batch of paths in, a digest or a reason per path out. The stat
 * and open happen here, not in the main thread, so the main thread only walks directories
 * and prints. A batch does at most BATCH_BYTE_BUDGET of reading; big files and the rest of
 * an exhausted batch go back to the main thread to be sent again, so no worker sits on a
 * long tail while another is idle.
 */
import { defineTasks } from 'tandem/tasks';
import { ALGORITHM_INFO, type AlgorithmName, createDigester, type Digester } from './algorithms.js';
import {
  decodePaths,
  type FileProblem,
  FileStatus,
  type HashBatchRequest,
  type HashBatchResult,
  type LinkedFile,
  PathFlag,
} from './batch-protocol.js';
import { loadTestHook, readAndHash } from './read-file.js';

/** A batch stops starting new files once it has read this much. */
export const BATCH_BYTE_BUDGET = 32 * 1024 * 1024;
/** In a batch of several files, a file bigger than this is sent back to be hashed on its own. */
export const ALONE_ABOVE_BYTES = 8 * 1024 * 1024;
/** One read buffer per worker, reused for every file. */
const READ_BUFFER_BYTES = 1024 * 1024;

let readBuffer: Buffer | undefined;
const digesters = new Map<AlgorithmName, Digester>();
const hookLoaded = loadTestHook();

function digesterFor(algorithm: AlgorithmName): Digester {
  let digester = digesters.get(algorithm);
  if (digester === undefined) {
    digester = createDigester(algorithm);
    digesters.set(algorithm, digester);
  }
  return digester;
}

function hashBatch(request: HashBatchRequest): HashBatchResult | Promise<HashBatchResult> {
  if (process.env.VIGIL_TEST_AFTER_READ) return hookLoaded.then(() => hashBatchNow(request));
  return hashBatchNow(request);
}

function hashBatchNow(request: HashBatchRequest): HashBatchResult {
  const paths = decodePaths(request.paths);
  const count = paths.length;
  const digestBytes = ALGORITHM_INFO[request.algorithm].bytes;
  const digester = digesterFor(request.algorithm);
  readBuffer ??= Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  const status = new Uint8Array(count);
  const digests = new Uint8Array(count * digestBytes);
  const sizes = new Float64Array(count);
  const problems: FileProblem[] = [];
  const links: LinkedFile[] = [];
  const kinds: Record<number, string> = {};
  let bytesRead = 0;
  for (let i = 0; i < count; i++) {
    if (bytesRead >= BATCH_BYTE_BUDGET) {
      status.fill(FileStatus.sendLater, i);
      break;
    }
    const flags = request.flags[i] ?? 0;
    const outcome = readAndHash(
      paths[i] as Buffer,
      {
        follow: (flags & PathFlag.follow) !== 0,
        deferLinked: (flags & PathFlag.readLinked) === 0,
        deferAbove: count > 1 ? ALONE_ABOVE_BYTES : Number.POSITIVE_INFINITY,
      },
      digester,
      readBuffer,
    );
    switch (outcome.kind) {
      case 'hashed':
        status[i] = FileStatus.hashed;
        digester.finishInto(digests, i * digestBytes);
        sizes[i] = outcome.size;
        bytesRead += outcome.size;
        break;
      case 'failed':
        status[i] = FileStatus.failed;
        // A file that failed half-way leaves state in the reused digester: drop it.
        digester.finishInto(digests, i * digestBytes);
        problems.push({ index: i, code: outcome.code, message: outcome.message });
        break;
      case 'notRegular':
        status[i] = FileStatus.notRegular;
        kinds[i] = outcome.what;
        break;
      case 'tooBig':
        status[i] = FileStatus.sendAlone;
        break;
      case 'linked':
        status[i] = FileStatus.linked;
        links.push({ index: i, dev: outcome.dev, ino: outcome.ino, nlink: outcome.nlink });
        break;
    }
  }
  return { status, digests, sizes, problems, links, kinds };
}

export default defineTasks(import.meta.url, { hashBatch });
