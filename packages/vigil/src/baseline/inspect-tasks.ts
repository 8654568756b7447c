/**
 * The task module inspecting workers run (everything here runs inside a worker thread).
 *
 * inspectBatch: lstat each path; a regular file whose stat matches the baseline is trusted
 * without being opened (the fast path); any other regular file is read through one
 * descriptor with fstat before and after, so a file changing while read is reported as
 * unstable instead of recorded with a hash of a state that never existed. Symlinks are
 * read with readlink; FIFOs, sockets and devices are never opened.
 */

import type { BigIntStats } from 'node:fs';
import { closeSync, constants, fstatSync, lstatSync, openSync, readlinkSync, readSync } from 'node:fs';
import { defineTasks } from 'tandem/tasks';
import { ALGORITHM_INFO, type AlgorithmName, createDigester, type Digester } from '../scan/algorithms.js';
import { decodePaths } from '../scan/batch-protocol.js';
import { describeErrno, loadTestHook, runAfterReadHook } from '../scan/read-file.js';
import { ENTRY_TYPES, type EntryType } from './entry.js';
import { decideFastPath } from './fast-path.js';
import {
  type InspectProblem,
  type InspectRequest,
  type InspectResult,
  InspectStatus,
  STAT_FIELDS,
  STORED_FIELDS,
  StatSlot,
  StoredSlot,
  StoredState,
} from './inspect-protocol.js';

/** A batch stops starting new reads once it has read this much (the rest comes back as `later`). */
export const BATCH_BYTE_BUDGET = 32 * 1024 * 1024;
const READ_BUFFER_BYTES = 1024 * 1024;
// O_NOFOLLOW: the walk saw a regular file; a symlink swapped in since is not followed.
// O_NONBLOCK: a FIFO swapped in since does not block the open.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW;

let readBuffer: Buffer | undefined;
const digesters = new Map<AlgorithmName, Digester>();
const hookLoaded = loadTestHook();

function inspectBatch(request: InspectRequest): InspectResult | Promise<InspectResult> {
  if (process.env.VIGIL_TEST_AFTER_READ) return hookLoaded.then(() => inspectNow(request));
  return inspectNow(request);
}

function inspectNow(request: InspectRequest): InspectResult {
  const paths = decodePaths(request.paths);
  const count = paths.length;
  const digestBytes = ALGORITHM_INFO[request.algorithm].bytes;
  let digester = digesters.get(request.algorithm);
  if (digester === undefined) {
    digester = createDigester(request.algorithm);
    digesters.set(request.algorithm, digester);
  }
  readBuffer ??= Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  const status = new Uint8Array(count);
  const statValid = new Uint8Array(count);
  const stats = new BigInt64Array(count * STAT_FIELDS);
  const digests = new Uint8Array(count * digestBytes);
  const targets: Record<number, Uint8Array> = {};
  const problems: InspectProblem[] = [];
  let bytesRead = 0;
  const fail = (i: number, error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    if (code === 'ENOENT') status[i] = InspectStatus.vanished;
    else {
      status[i] = InspectStatus.unreadable;
      problems.push({ index: i, code, message: describeErrno(code) });
    }
  };

  for (let i = 0; i < count; i++) {
    const path = paths[i] as Buffer;
    let st: BigIntStats;
    try {
      st = lstatSync(path, { bigint: true });
    } catch (error) {
      fail(i, error);
      continue;
    }
    const type = typeOf(st);
    putStat(stats, i, st, type);
    statValid[i] = 1;
    if (type === 'symlink') {
      try {
        targets[i] = readlinkSync(path, { encoding: 'buffer' });
        status[i] = InspectStatus.statOnly;
      } catch (error) {
        fail(i, error);
      }
      continue;
    }
    if (type !== 'file') {
      status[i] = InspectStatus.statOnly;
      continue;
    }
    const state = request.storedState[i] as number;
    if (state !== StoredState.none) {
      const at = i * STORED_FIELDS;
      const stored = request.stored;
      const decision = decideFastPath({
        current: { size: st.size, mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, ino: st.ino },
        stored: {
          size: stored[at + StoredSlot.size] as bigint,
          mtimeNs: stored[at + StoredSlot.mtimeNs] as bigint,
          ctimeNs: stored[at + StoredSlot.ctimeNs] as bigint,
          ino: stored[at + StoredSlot.ino] as bigint,
        },
        storedHashed: state === StoredState.hashed,
        recordedAtNs: request.recordedAtNs,
        full: request.full,
      });
      if (decision.trusted) {
        status[i] = InspectStatus.trusted;
        continue;
      }
    }
    if (bytesRead >= BATCH_BYTE_BUDGET) {
      status.fill(InspectStatus.later, i);
      statValid.fill(0, i);
      break;
    }
    const read = readFile(path, digester, readBuffer);
    if (read.kind === 'failed') {
      fail(i, read.error);
      continue;
    }
    // The stat recorded is the one taken through the descriptor read, not the earlier lstat.
    putStat(stats, i, read.before, 'file');
    bytesRead += Number(read.before.size);
    if (read.kind === 'unstable') {
      status[i] = InspectStatus.unstable;
      continue;
    }
    if (read.kind === 'replaced') {
      // Swapped for something else since the lstat: record what is there now, unread.
      putStat(stats, i, read.before, typeOf(read.before));
      status[i] = InspectStatus.statOnly;
      continue;
    }
    digester.finishInto(digests, i * digestBytes);
    status[i] = InspectStatus.hashed;
  }
  return { status, statValid, stats, digests, targets, problems, bytesRead };
}

type ReadResult =
  | { readonly kind: 'hashed' | 'unstable' | 'replaced'; readonly before: BigIntStats }
  | { readonly kind: 'failed'; readonly error: unknown };

function readFile(path: Buffer, digester: Digester, buffer: Buffer): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    return { kind: 'failed', error };
  }
  let started = false;
  try {
    const before = fstatSync(fd, { bigint: true });
    if (!before.isFile()) return { kind: 'replaced', before };
    started = true;
    let total = 0n;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      digester.update(n === buffer.length ? buffer : buffer.subarray(0, n));
      total += BigInt(n);
      if (total === before.size) break;
    }
    runAfterReadHook(path);
    const after = fstatSync(fd, { bigint: true });
    if (
      after.size !== before.size ||
      after.mtimeNs !== before.mtimeNs ||
      after.ctimeNs !== before.ctimeNs ||
      total !== before.size
    ) {
      resetDigester(digester);
      return { kind: 'unstable', before };
    }
    return { kind: 'hashed', before };
  } catch (error) {
    if (started) resetDigester(digester);
    return { kind: 'failed', error };
  } finally {
    closeSync(fd);
  }
}

/** A read that stopped half-way leaves state in the reused digester: drop it. */
function resetDigester(digester: Digester): void {
  digester.finishInto(new Uint8Array(64), 0);
}

function putStat(stats: BigInt64Array, i: number, st: BigIntStats, type: EntryType): void {
  const at = i * STAT_FIELDS;
  stats[at + StatSlot.type] = BigInt(ENTRY_TYPES.indexOf(type));
  stats[at + StatSlot.mode] = st.mode & 0o7777n;
  stats[at + StatSlot.uid] = st.uid;
  stats[at + StatSlot.gid] = st.gid;
  stats[at + StatSlot.ino] = st.ino;
  stats[at + StatSlot.nlink] = st.nlink;
  stats[at + StatSlot.size] = st.size;
  stats[at + StatSlot.mtimeNs] = st.mtimeNs;
  stats[at + StatSlot.ctimeNs] = st.ctimeNs;
}

function typeOf(st: BigIntStats): EntryType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isBlockDevice() || st.isCharacterDevice()) return 'device';
  return 'other';
}

export default defineTasks(import.meta.url, { inspectBatch });
