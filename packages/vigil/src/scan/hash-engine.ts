/**
 * The main side of hashing: sends batches to the pool, keeps a bounded number in flight,
 * sends again what workers hand back (big files alone, the rest of a batch that did its
 * share, the one name chosen to read a hard-linked inode), and reports one outcome per file.
 *
 * This drives `pool.apply` per batch rather than one `pool.imapUnordered` stream, because
 * results feed back into the input (re-sent files) and the caller needs the in-flight count
 * to decide when to send a partial batch and when to hold the walk back.
 */
import type { TaskRef } from 'tandem/tasks';
import type { AlgorithmName } from '../checksums/algorithms.js';
import type { ReadingCounter } from '../fs/reading-bytes.js';
import { PathFlag } from '../fs/records.js';
import type { HashPools } from '../pool/hash-pools.js';
import { InFlight } from '../pool/in-flight.js';
import type { ProgressSink } from '../progress-sink.js';
import { FileStatus, type HashBatchResult } from './batch-protocol.js';
import { type Blake3Mode, digestBytes as digestBytesOf } from './blake3-mode.js';
import { FileBatch } from './file-batch.js';
import { HardLinkRegistry, type LinkOutcome } from './hard-links.js';
import tasks, { type HashBatchTask } from './hash-tasks.js';

export type FileOutcome =
  | { readonly kind: 'hashed'; readonly digest: Buffer; readonly size: number }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string }
  | { readonly kind: 'notRegular'; readonly what: string };

export interface HashEngineOptions {
  readonly pools: HashPools;
  /** Most batches sent and not yet settled, re-sent ones included. */
  readonly maxInFlight: number;
  /** Read each hard-linked inode once (hash mode); --check reads every name it is given. */
  readonly readLinksOnce: boolean;
  readonly onOutcome: (seq: number, path: Buffer, outcome: FileOutcome) => void;
  /** BLAKE3's keyed, derive-key or extended-output mode, for BLAKE3 batches. */
  readonly blake3?: Blake3Mode | undefined;
  /** The worker task to run (default: hash-tasks.ts's hashBatch; tests give one that observes reads). */
  readonly hashBatch?: TaskRef<HashBatchTask> | undefined;
  /** Where workers count what they have read of big files, for the progress bar (worker threads only). */
  readonly reading?: ReadingCounter | undefined;
}

/** Batches in flight are counted by InFlight (settled, waitForRoom, drain come from it). */
export class HashEngine extends InFlight {
  readonly #options: HashEngineOptions;
  readonly #links = new HardLinkRegistry();
  /** seq -> inode key, for names chosen to read a hard-linked inode. */
  readonly #linkReaders = new Map<number, string>();

  constructor(options: HashEngineOptions) {
    super(options.maxInFlight);
    this.#options = options;
  }

  /** Whether a batch went to the worker pool yet (which starts it). */
  get started(): boolean {
    return this.#options.pools.started;
  }

  /**
   * Sends a batch now (callers wait for room first with `waitForRoom`): to the worker pool, or
   * with `here` to the main thread's pool, for a run whose whole input is this one batch (what
   * it hands back, such as a big file, goes to the workers).
   */
  submit(batch: FileBatch, algorithm: AlgorithmName, here = false): void {
    if (batch.size === 0) return;
    const { pool, inMainThread } = this.#options.pools.poolFor(here);
    this.track(
      pool.apply(this.#options.hashBatch ?? tasks.hashBatch, [
        batch.toRequest(algorithm, this.#options.blake3, this.#options.reading, inMainThread),
      ]),
      (result) => this.#onResult(batch, algorithm, result),
      'a hashing worker',
    );
  }

  #onResult(batch: FileBatch, algorithm: AlgorithmName, result: HashBatchResult): void {
    const digestBytes = digestBytesOf(algorithm, this.#options.blake3);
    const digests = Buffer.from(result.digests.buffer, result.digests.byteOffset, result.digests.byteLength);
    let problem = 0;
    let link = 0;
    let later: FileBatch | undefined;
    let linkReaders: FileBatch | undefined;
    for (let i = 0; i < batch.size; i++) {
      const seq = batch.seqs[i] as number;
      const path = batch.path(i);
      const flags = batch.flags(i);
      const base = batch.base(i);
      switch (result.status[i]) {
        case FileStatus.hashed:
          this.#complete(
            seq,
            path,
            {
              kind: 'hashed',
              digest: digests.subarray(i * digestBytes, (i + 1) * digestBytes),
              size: result.sizes[i] as number,
            },
            algorithm,
          );
          break;
        case FileStatus.failed: {
          const found = result.problems[problem++];
          this.#complete(
            seq,
            path,
            { kind: 'failed', code: found?.code ?? 'EIO', message: found?.message ?? 'failed' },
            algorithm,
          );
          break;
        }
        case FileStatus.notRegular:
          this.#complete(seq, path, { kind: 'notRegular', what: result.kinds[i] ?? 'other' }, algorithm);
          break;
        case FileStatus.sendAlone: {
          const alone = new FileBatch();
          alone.add(seq, path, flags, base);
          this.submit(alone, algorithm);
          break;
        }
        case FileStatus.sendLater:
          later ??= new FileBatch();
          later.add(seq, path, flags, base);
          break;
        case FileStatus.linked: {
          const found = result.links[link++];
          if (found === undefined || !this.#options.readLinksOnce) {
            // --check (or a confused result): read this name regardless of its links.
            linkReaders ??= new FileBatch();
            linkReaders.add(seq, path, flags | PathFlag.readLinked, base);
            break;
          }
          const key = `${found.dev}:${found.ino}`;
          const met = this.#links.meet(key, found.nlink, { seq, path, flags, base });
          if (met.action === 'read') {
            this.#linkReaders.set(seq, key);
            linkReaders ??= new FileBatch();
            linkReaders.add(seq, path, flags | PathFlag.readLinked, base);
          } else if (met.action === 'done') {
            this.#options.onOutcome(seq, path, met.outcome);
          }
          break;
        }
      }
    }
    if (linkReaders) this.submit(linkReaders, algorithm);
    if (later) this.submit(later, algorithm);
  }

  /** Reports a file's outcome, and if it was read for a hard-linked inode, its other names'. */
  #complete(seq: number, path: Buffer, outcome: FileOutcome, algorithm: AlgorithmName): void {
    this.#options.onOutcome(seq, path, outcome);
    const key = this.#linkReaders.get(seq);
    if (key === undefined) return;
    this.#linkReaders.delete(seq);
    const asLink: LinkOutcome =
      outcome.kind === 'notRegular'
        ? { kind: 'failed', code: 'ECHANGED', message: 'was replaced while being hashed' }
        : outcome;
    const { resolved, nextReader } = this.#links.settle(key, asLink);
    for (const name of resolved) this.#options.onOutcome(name.seq, name.path, asLink);
    if (nextReader) {
      this.#linkReaders.set(nextReader.seq, key);
      const retry = new FileBatch();
      retry.add(nextReader.seq, nextReader.path, nextReader.flags | PathFlag.readLinked, nextReader.base);
      this.submit(retry, algorithm);
    }
  }
}

/**
 * Batches a whole-tree run keeps in flight per worker: one being hashed and two queued, so a
 * worker that finishes never waits for the main thread to send its next batch.
 */
const BATCHES_PER_WORKER = 3;

/** What a whole-tree run (`vigil hash`, `vigil --check`) gives its engine. */
export interface TreeRun {
  readonly pools: HashPools;
  readonly progress: ProgressSink;
  readonly blake3?: Blake3Mode | undefined;
  readonly hashBatch?: HashEngineOptions['hashBatch'];
  readonly reading?: HashEngineOptions['reading'];
}

/** The engine of a whole-tree run: a few batches per worker in flight, and every file that ends counted on `run.progress`. */
export function treeHashEngine(
  run: TreeRun,
  readLinksOnce: boolean,
  onOutcome: HashEngineOptions['onOutcome'],
): HashEngine {
  return new HashEngine({
    pools: run.pools,
    maxInFlight: run.pools.workers * BATCHES_PER_WORKER,
    readLinksOnce,
    blake3: run.blake3,
    hashBatch: run.hashBatch,
    reading: run.reading,
    onOutcome: (seq, path, outcome) => {
      run.progress.fileDone(outcome.kind === 'hashed' ? outcome.size : 0);
      onOutcome(seq, path, outcome);
    },
  });
}
