/**
 * `vigil hash PATH...`: walk -> batches -> workers -> records -> printer, all streaming.
 *
 * Sorted output costs no sort: the walk yields entries in path order and each gets a
 * sequence number; OrderedRelease holds only records that finished ahead of a slower one.
 * When that backlog passes MAX_HELD_RECORDS the walk waits, so memory stays bounded even
 * behind one huge file. `--unordered` prints each record as it arrives and keeps nothing.
 */
import type { Readable } from 'node:stream';
import type { AlgorithmName } from '../checksums/algorithms.js';
import type { RunOutcome } from '../exit.js';
import { PathFlag } from '../fs/records.js';
import { type WalkEntry, type WalkOptions, walk } from '../fs/walk.js';
import type { HashPools } from '../pool/hash-pools.js';
import type { ProgressSink } from '../progress-sink.js';
import type { Blake3Mode } from './blake3-mode.js';
import { FileBatch } from './file-batch.js';
import type { HashEngineOptions } from './hash-engine.js';
import { type FileOutcome, treeHashEngine } from './hash-engine.js';
import { hashStreamOperand, isStreamOperand } from './hash-stream.js';
import { OrderedRelease } from './ordered-release.js';
import type { RecordSink } from './record-sink.js';
import type { EntryRecord } from './records.js';

/** Records a sorted run may hold while an earlier file is still hashing (about 150 bytes each). */
export const MAX_HELD_RECORDS = 50_000;

export interface HashTreeOptions {
  readonly operands: readonly Buffer[];
  readonly walk: WalkOptions;
  readonly algorithm: AlgorithmName;
  readonly pools: HashPools;
  readonly ordered: boolean;
  readonly printer: RecordSink;
  readonly progress: ProgressSink;
  /** BLAKE3's keyed, derive-key or extended-output mode. */
  readonly blake3?: Blake3Mode;
  /** What the operand `-` reads. */
  readonly stdin: Readable;
  /** The worker task (tests give one that observes reads). */
  readonly hashBatch?: HashEngineOptions['hashBatch'];
  /** Where workers count what they have read of big files (see HashEngineOptions). */
  readonly reading?: HashEngineOptions['reading'];
}

export async function hashTree(options: HashTreeOptions): Promise<RunOutcome> {
  const { printer, progress, pools, algorithm } = options;
  const summary = { files: 0, bytes: 0, errors: 0, skipped: 0 };
  const emit = (record: EntryRecord) => {
    if (record.type === 'file') {
      summary.files++;
      summary.bytes += record.size;
    } else if (record.type === 'error') summary.errors++;
    else summary.skipped++;
    printer.entry(record);
  };
  const release = options.ordered ? new OrderedRelease<EntryRecord>(emit) : undefined;
  const put = release
    ? (seq: number, record: EntryRecord) => release.put(seq, record)
    : (_: number, r: EntryRecord) => emit(r);

  const engine = treeHashEngine(options, true, (seq, path, outcome) => put(seq, recordForOutcome(path, outcome)));

  let seq = 0;
  let batch = new FileBatch();
  const send = () => {
    engine.submit(batch, algorithm);
    batch = new FileBatch();
  };
  const waitForRoom = async () => {
    await engine.waitForRoom();
    // Hold the walk while sorted output waits on a slow file, or stdout is full.
    while (release && release.held > MAX_HELD_RECORDS && engine.count > 0) await engine.settled();
    while (printer.blocked) await printer.blocked;
  };

  for (const operand of options.operands) {
    if (await isStreamOperand(operand)) {
      // Workers go on with what is queued while the stream is read here.
      if (batch.size > 0) send();
      progress.found(1);
      const record = await hashStreamOperand(operand, algorithm, options.stdin, options.blake3);
      progress.fileDone(record.type === 'file' ? record.size : 0);
      put(seq++, record);
      continue;
    }
    for await (const entries of walk([operand], options.walk)) {
      for (const entry of entries) {
        if (entry.kind === 'directory') continue; // never asked for here
        const entrySeq = seq++;
        if (entry.kind === 'file') {
          // Counted before it is sent, so the bar's total never runs below the files done.
          progress.found(1);
          batch.add(entrySeq, entry.path, entry.follow ? PathFlag.follow : 0, entry.base);
          if (batch.full) {
            send();
            await waitForRoom();
          }
        } else {
          put(entrySeq, recordForWalkEntry(entry));
        }
      }
      // Workers idle while a partial batch waits for the walk: send it now. Until the first
      // batch fills, none are started: a walk that ends first is hashed in this thread.
      if (batch.size > 0 && engine.started && engine.count < pools.workers) {
        send();
        await waitForRoom();
      }
    }
  }
  // The whole input in one batch, and no worker started yet: this thread hashes it.
  if (batch.size > 0) engine.submit(batch, algorithm, !engine.started);
  progress.walkDone();
  await engine.drain();
  progress.stop();
  await printer.finishHash(summary);
  return { failures: summary.errors };
}

function recordForOutcome(path: Buffer, outcome: FileOutcome): EntryRecord {
  switch (outcome.kind) {
    case 'hashed':
      return { type: 'file', path, digest: outcome.digest, size: outcome.size };
    case 'failed':
      return { type: 'error', path, code: outcome.code, message: outcome.message };
    case 'notRegular':
      // The walk saw a regular file, the worker found something else: it was replaced meanwhile.
      return {
        type: 'skipped',
        path,
        reason:
          outcome.what === 'fifo' || outcome.what === 'socket' || outcome.what === 'device'
            ? outcome.what
            : 'not a regular file',
      };
  }
}

function recordForWalkEntry(entry: Exclude<WalkEntry, { kind: 'file' | 'directory' }>): EntryRecord {
  if (entry.kind === 'skipped') return { type: 'skipped', path: entry.path, reason: entry.reason };
  return { type: 'error', path: entry.path, code: entry.code, message: entry.message };
}
