/**
 * The task module inspecting workers run (everything here runs inside a worker thread).
 *
 * inspectBatch: lstat each path beneath the root (fs/ never follows a link there); a regular
 * file whose stat matches the baseline is trusted without being opened (the fast path); any
 * other regular file is read by the file-system layer's rule (fstat, read, fstat), so a file
 * changing while read is reported as unstable instead of recorded with a hash of a state
 * that never existed. Symlinks come with their target; FIFOs, sockets and devices are never
 * opened. Then, where the reader can, every entry's extended attributes are read (not
 * following links), except a trusted file's whose record the baseline already holds.
 */
import { defineTasks } from 'tandem/tasks';
import { ALGORITHM_INFO } from '../checksums/algorithms.js';
import {
  ALONE_ABOVE_BYTES,
  BATCH_BYTE_BUDGET,
  eachHash,
  eachRead,
  eachStat,
  eachXattrs,
  type ReadOutcome,
} from '../fs/batch-reads.js';
import type { FileFailure } from '../fs/failures.js';
import { decodePaths, FileListBuilder } from '../fs/file-list.js';
import type { FileReader } from '../fs/file-reader.js';
import { fileReader } from '../fs/reader.js';
import { putStat, STAT_SLOTS, type StatRecord, StatSlot } from '../fs/records.js';
import { type Digester, digesterFor, digestInReader } from '../scan/digesters.js';
import { hashLargeFile } from '../scan/hash-large-file.js';
import { decideFastPath } from './fast-path.js';
import {
  type InspectProblem,
  type InspectRequest,
  type InspectResult,
  InspectStatus,
  StoredState,
  storedFingerprint,
} from './inspect-protocol.js';

/** The result of one batch, filled in path by path. */
class Inspection {
  readonly status: Uint8Array;
  readonly statValid: Uint8Array;
  readonly stats: BigInt64Array;
  readonly digests: Uint8Array;
  readonly targets: Record<number, Uint8Array> = {};
  readonly xattrLengths: Int32Array;
  /** The records of xattrLengths, by index; toResult joins them into one array (cloning costs per object). */
  readonly xattrRecords: (Buffer | undefined)[] = [];
  readonly problems: InspectProblem[] = [];
  bytesRead = 0;

  constructor(count: number, digestBytes: number) {
    this.status = new Uint8Array(count);
    this.statValid = new Uint8Array(count);
    this.stats = new BigInt64Array(count * STAT_SLOTS);
    this.digests = new Uint8Array(count * digestBytes);
    this.xattrLengths = new Int32Array(count).fill(-1);
  }

  fail(i: number, failure: FileFailure): void {
    if (failure.code === 'ENOENT') this.status[i] = InspectStatus.vanished;
    else {
      this.status[i] = InspectStatus.unreadable;
      this.problems.push({ index: i, code: failure.code, message: failure.message });
    }
  }

  putStat(i: number, st: StatRecord): void {
    putStat(this.stats, i, st);
    this.statValid[i] = 1;
  }

  /** What path i turned out to be when it was opened (its st_mode, type included). */
  putMode(i: number, mode: number): void {
    this.stats[i * STAT_SLOTS + StatSlot.mode] = BigInt(mode);
  }

  toResult(): InspectResult {
    const { status, statValid, stats, digests, targets, xattrLengths, problems, bytesRead } = this;
    const records = this.xattrRecords.filter((record) => record !== undefined && record.length > 0) as Buffer[];
    const xattrs = records.length === 0 ? new Uint8Array(0) : Buffer.concat(records);
    return { status, statValid, stats, digests, targets, xattrLengths, xattrs, problems, bytesRead };
  }
}

/** Inspects one batch with `reader`. */
export function inspectBatchWith(reader: FileReader, request: InspectRequest): InspectResult {
  const result = inspectEntries(reader, request);
  if (reader.readsXattrs) readXattrs(reader, request, result);
  return result.toResult();
}

/** Stats every entry and reads the files the fast path does not trust. */
function inspectEntries(reader: FileReader, request: InspectRequest): Inspection {
  const { list } = request;
  const count = list.flags.length;
  const digestBytes = ALGORITHM_INFO[request.algorithm].bytes;
  const result = new Inspection(count, digestBytes);
  /** Regular files to read, by index in the batch. */
  const toRead: number[] = [];
  eachStat(reader, list, (i, outcome) => {
    if (outcome.kind === 'failed') return result.fail(i, outcome.failure);
    result.putStat(i, outcome.stat);
    if (outcome.target !== undefined) result.targets[i] = outcome.target;
    if (outcome.type !== 'file') result.status[i] = InspectStatus.statOnly;
    else if (isTrusted(request, i, outcome.stat)) result.status[i] = InspectStatus.trusted;
    else toRead.push(i);
  });
  if (toRead.length === 0) return result;

  const files = new FileListBuilder();
  const paths = decodePaths(list.paths);
  for (const i of toRead) files.add(paths[i] as Buffer, list.flags[i] as number, list.bases[i] as number);
  const deferAbove = request.inMainThread ? ALONE_ABOVE_BYTES : Number.POSITIVE_INFINITY;
  const options = { deferAbove, byteBudget: BATCH_BYTE_BUDGET, reading: request.reading };
  // Where the reader hashes the algorithm itself, file k's digest lands in `hashed` at k x
  // digestBytes; elsewhere the digester hashes what the reader read.
  const inReader = digestInReader(reader, request.algorithm);
  const hashed = inReader === undefined ? undefined : new Uint8Array(toRead.length * digestBytes);
  const digester = inReader === undefined ? digesterFor(request.algorithm) : undefined;
  const visit = (k: number, outcome: ReadOutcome) => {
    const i = toRead[k] as number;
    switch (outcome.kind) {
      case 'read':
      case 'large': {
        // The stat recorded is the one taken through the descriptor read, not the earlier lstat.
        result.putStat(i, outcome.stat);
        const failure = digester ? readInto(digester, outcome) : undefined;
        if (failure?.code === 'ECHANGED') result.status[i] = InspectStatus.unstable;
        else if (failure) result.fail(i, failure);
        else {
          result.bytesRead += outcome.size;
          if (digester) digester.finishInto(result.digests, i * digestBytes);
          else if (hashed) result.digests.set(hashed.subarray(k * digestBytes, (k + 1) * digestBytes), i * digestBytes);
          result.status[i] = InspectStatus.hashed;
        }
        break;
      }
      case 'changed':
        result.status[i] = InspectStatus.unstable;
        break;
      case 'notRegular':
        // Swapped for something else since the lstat: record what is there now, unread.
        result.putMode(i, outcome.mode);
        result.status[i] = InspectStatus.statOnly;
        break;
      case 'failed':
        result.fail(i, outcome.failure);
        break;
      case 'tooBig':
        if (!request.inMainThread)
          throw new Error(`inspectBatch: the reader deferred path ${i}, which it was not asked to`);
        result.status[i] = InspectStatus.later;
        result.statValid[i] = 0;
        break;
      default:
        throw new Error(`inspectBatch: the reader deferred path ${i} (${outcome.kind}), which it was not asked to`);
    }
  };
  const built = files.build();
  const done =
    inReader !== undefined && hashed !== undefined
      ? eachHash(reader, built, { ...options, algorithm: inReader, digests: hashed }, visit)
      : eachRead(reader, built, options, visit);
  for (let k = done; k < toRead.length; k++) {
    const i = toRead[k] as number;
    result.status[i] = InspectStatus.later;
    result.statValid[i] = 0;
  }
  return result;
}

/**
 * Reads the extended attributes of every entry that has a stat to go with them, but a
 * trusted file's when the baseline holds them. One that cannot be read (an attribute this
 * process may not read, a path gone since) stays unknown: not recorded, not compared.
 */
function readXattrs(reader: FileReader, request: InspectRequest, result: Inspection): void {
  const { list } = request;
  const wanted: number[] = [];
  for (let i = 0; i < result.status.length; i++) {
    const status = result.status[i];
    if (status === InspectStatus.later || status === InspectStatus.vanished || !result.statValid[i]) continue;
    if (status === InspectStatus.trusted && request.xattrsKnown[i]) continue;
    wanted.push(i);
  }
  if (wanted.length === 0) return;
  // A first baseline wants every entry: the request's list as it is.
  let entries = list;
  if (wanted.length < list.flags.length) {
    const paths = decodePaths(list.paths);
    const builder = new FileListBuilder();
    for (const i of wanted) builder.add(paths[i] as Buffer, list.flags[i] as number, list.bases[i] as number);
    entries = builder.build();
  }
  eachXattrs(reader, entries, (k, outcome) => {
    if (outcome.kind !== 'xattrs') return;
    const i = wanted[k] as number;
    result.xattrLengths[i] = outcome.record.length;
    result.xattrRecords[i] = outcome.record;
  });
}

/** Feeds a read (or streamed, holes as zeros) file into the digester; a failure leaves the digester reset. */
function readInto(
  digester: Digester,
  outcome: Extract<ReadOutcome, { kind: 'read' | 'large' }>,
): FileFailure | undefined {
  if (outcome.kind === 'read') {
    digester.update(outcome.bytes);
    return undefined;
  }
  const failure = hashLargeFile(outcome.file, digester);
  if (failure) digester.finishInto(new Uint8Array(64), 0);
  return failure;
}

/** Whether the baseline's record of path i still holds (the fast path), from the stat just taken. */
function isTrusted(request: InspectRequest, i: number, st: StatRecord): boolean {
  const state = request.storedState[i] as number;
  if (state === StoredState.none) return false;
  return decideFastPath({
    current: { size: BigInt(st.size), mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, ino: st.ino },
    stored: storedFingerprint(request.stored, i),
    storedHashed: state === StoredState.hashed,
    recordedAtNs: request.recordedAtNs,
    full: request.full,
  }).trusted;
}

function inspectBatch(request: InspectRequest): InspectResult {
  return inspectBatchWith(fileReader(), request);
}

/** The task an InspectEngine runs by default; tests give it another built on inspectBatchWith. */
export type InspectBatchTask = (request: InspectRequest) => InspectResult;

export default defineTasks(import.meta.url, { inspectBatch });
