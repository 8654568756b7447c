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
import { decodePaths, type HashBatchRequest, type HashBatchResult, PathFlag } from './batch-protocol.js';
import { BatchResults } from './batch-results.js';
import { type NativeReader, nativeReader, RECORD_SLOTS, ReadKind, readerArena } from './native-reader.js';
import {
  CHANGED_WHILE_READ,
  describeMode,
  failureFromErrno,
  loadTestHook,
  type ReadPolicy,
  readAndHash,
  runAfterReadHook,
} from './read-file.js';

/** A batch stops starting new files once it has read this much. */
export const BATCH_BYTE_BUDGET = 32 * 1024 * 1024;
/** In a batch of several files, a file bigger than this is sent back to be hashed on its own. */
export const ALONE_ABOVE_BYTES = 8 * 1024 * 1024;
/** One read buffer per worker, reused for every file the JavaScript reader reads. */
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
  const count = request.flags.length;
  const results = new BatchResults(count, ALGORITHM_INFO[request.algorithm].bytes);
  const digester = digesterFor(request.algorithm);
  const native = nativeReader();
  const openssl = ALGORITHM_INFO[request.algorithm].openssl;
  if (native && openssl) hashNatively(native, openssl, request, results);
  else if (native) readNatively(native, request, digester, results);
  else readOneByOne(request, digester, results);
  return results.toResult();
}

function policyFor(flags: number, count: number): ReadPolicy {
  return {
    follow: (flags & PathFlag.follow) !== 0,
    deferLinked: (flags & PathFlag.readLinked) === 0,
    deferAbove: count > 1 ? ALONE_ABOVE_BYTES : Number.POSITIVE_INFINITY,
  };
}

/** The JavaScript reader: node:fs calls per file. */
function readOneByOne(request: HashBatchRequest, digester: Digester, results: BatchResults): void {
  const paths = decodePaths(request.paths);
  const count = paths.length;
  readBuffer ??= Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  for (let i = 0; i < count; i++) {
    if (results.bytesRead >= BATCH_BYTE_BUDGET) {
      results.sendLater(i);
      return;
    }
    const outcome = readAndHash(paths[i] as Buffer, policyFor(request.flags[i] ?? 0, count), digester, readBuffer);
    results.record(i, outcome, digester);
  }
}

/** The test hook, by path index, when VIGIL_TEST_AFTER_READ is set. */
function afterReadHookFor(request: HashBatchRequest): ((index: number) => void) | undefined {
  if (!process.env.VIGIL_TEST_AFTER_READ) return undefined;
  const paths = decodePaths(request.paths);
  return (index) => runAfterReadHook(paths[index] as Buffer);
}

/**
 * The native reader hashing in C with OpenSSL (SHA-2, SHA-1, MD5): one call does the batch,
 * files of every size included, up to the byte budget, and writes the digests straight into
 * the result.
 */
function hashNatively(native: NativeReader, openssl: string, request: HashBatchRequest, results: BatchResults): void {
  const count = request.flags.length;
  const deferAbove = count > 1 ? ALONE_ABOVE_BYTES : Number.POSITIVE_INFINITY;
  const records = new Float64Array(count * RECORD_SLOTS);
  const arena = readerArena();
  const afterRead = afterReadHookFor(request);
  const cursor = new Uint32Array(2);
  native.hashFiles(
    request.paths,
    request.flags,
    cursor,
    arena,
    records,
    deferAbove,
    afterRead,
    openssl,
    results.digests,
    BATCH_BYTE_BUDGET,
  );
  const done = cursor[0]!;
  if (done < count) results.sendLater(done);
  for (let i = 0; i < done; i++) {
    const at = i * RECORD_SLOTS;
    if (records[at] === ReadKind.read) results.hashedInPlace(i, records[at + 2]!);
    else recordUnread(results, records, i);
  }
}

/**
 * Records a native outcome other than `read` and `large`: the file was not hashed (an error,
 * not a regular file, handed back, or changed while read). The digester was not touched.
 */
function recordUnread(results: BatchResults, records: Float64Array, i: number): void {
  const at = i * RECORD_SLOTS;
  const a = records[at + 1]!;
  switch (records[at]) {
    case ReadKind.failed: {
      const failure = failureFromErrno(a);
      results.failed(i, failure.code, failure.message);
      break;
    }
    case ReadKind.notRegular:
      results.notRegular(i, describeMode(a));
      break;
    case ReadKind.tooBig:
      results.sendAlone(i);
      break;
    case ReadKind.linked:
      results.linked(i, a, records[at + 2]!, records[at + 3]!);
      break;
    case ReadKind.changed:
      results.failed(i, CHANGED_WHILE_READ.code, CHANGED_WHILE_READ.message);
      break;
    default:
      throw new Error(`the native reader gave an unknown outcome ${records[at]} for path ${i}`);
  }
}

/**
 * The native reader: files up to the arena's size are read into the arena many per call and
 * hashed from there; a bigger one (LARGE) is read by the JavaScript reader, in pieces.
 */
function readNatively(
  native: NativeReader,
  request: HashBatchRequest,
  digester: Digester,
  results: BatchResults,
): void {
  const count = request.flags.length;
  const deferAbove = count > 1 ? ALONE_ABOVE_BYTES : Number.POSITIVE_INFINITY;
  const cursor = new Uint32Array(2);
  const records = new Float64Array(count * RECORD_SLOTS);
  const bytes = Buffer.from(request.paths.buffer, request.paths.byteOffset, request.paths.byteLength);
  const pathAt = (position: number) => bytes.subarray(position, bytes.indexOf(0, position));
  const afterRead = afterReadHookFor(request);
  const arena = readerArena();
  while (cursor[0]! < count) {
    if (results.bytesRead >= BATCH_BYTE_BUDGET) {
      results.sendLater(cursor[0]!);
      return;
    }
    const from = cursor[0]!;
    native.readFiles(request.paths, request.flags, cursor, arena, records, deferAbove, afterRead);
    if (cursor[0] === from) throw new Error(`the native reader made no progress at path ${from} of ${count}`);
    for (let i = from; i < cursor[0]!; i++) {
      const at = i * RECORD_SLOTS;
      const a = records[at + 1]!;
      if (records[at] === ReadKind.read) {
        digester.update(arena.subarray(a, a + records[at + 2]!));
        results.hashed(i, records[at + 2]!, digester);
      } else if (records[at] === ReadKind.large) {
        readBuffer ??= Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
        const outcome = readAndHash(pathAt(a), policyFor(request.flags[i]!, count), digester, readBuffer);
        results.record(i, outcome, digester);
      } else {
        recordUnread(results, records, i);
      }
    }
  }
}

export default defineTasks(import.meta.url, { hashBatch });
