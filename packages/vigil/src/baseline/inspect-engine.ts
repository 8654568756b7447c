/**
 * The main side of inspecting: sends batches to the pool, keeps a bounded number in flight,
 * sends again what a worker left for later, and turns each result into an `Inspected`
 * outcome per entry (a trusted file takes its digest, and its extended attributes when the
 * worker did not read them, from the baseline row).
 */
import type { TaskRef } from 'tandem/tasks';
import { ALGORITHM_INFO, type AlgorithmName } from '../checksums/algorithms.js';
import { ENTRIES_PER_BATCH } from '../fs/batch-reads.js';
import { FileListBuilder } from '../fs/file-list.js';
import type { ReadingCounter } from '../fs/reading-bytes.js';
import { statAt } from '../fs/records.js';
import type { HashPools } from '../pool/hash-pools.js';
import { InFlight } from '../pool/in-flight.js';
import { type EntryState, entryTypeOf } from './entry.js';
import {
  type InspectRequest,
  type InspectResult,
  InspectStatus,
  putStoredFingerprint,
  STORED_FIELDS,
  StoredState,
} from './inspect-protocol.js';
import tasks, { type InspectBatchTask } from './inspect-tasks.js';

export interface InspectItem {
  /** The path to open (root prefix included). */
  readonly fullPath: Buffer;
  /** Length of the root prefix in `fullPath` (see fs/file-list.ts). */
  readonly base: number;
  /** The path relative to the root, as recorded. */
  readonly path: Buffer;
  /** What the baseline holds under this path and type, if anything. */
  readonly stored: EntryState | undefined;
}

export type Inspected =
  /** How it was learned: trusted by the fast path, read and hashed, or stat only (not a file). */
  | { readonly kind: 'state'; readonly state: EntryState; readonly read: 'trusted' | 'hashed' | 'statOnly' }
  | {
      readonly kind: 'unreadable';
      readonly state: EntryState | undefined;
      readonly code: string;
      readonly message: string;
    }
  | { readonly kind: 'unstable'; readonly state: EntryState }
  | { readonly kind: 'vanished' };

export interface InspectEngineOptions {
  readonly pools: HashPools;
  readonly algorithm: AlgorithmName;
  readonly recordedAtNs: bigint;
  readonly full: boolean;
  readonly maxInFlight: number;
  readonly onInspected: (item: InspectItem, outcome: Inspected) => void;
  /** After each batch's outcomes were delivered (printers flush here, so reports stream). */
  readonly onBatchDone?: (bytesRead: number) => void;
  /** The worker task to run (default: inspect-tasks.ts's inspectBatch; tests give one that observes reads). */
  readonly inspectBatch?: TaskRef<InspectBatchTask> | undefined;
  /** Where workers count what they have read of big files, for the progress bar (worker threads only). */
  readonly reading?: ReadingCounter | undefined;
}

export class InspectBatch {
  readonly items: InspectItem[] = [];
  add(item: InspectItem): void {
    this.items.push(item);
  }
  get full(): boolean {
    return this.items.length >= ENTRIES_PER_BATCH;
  }
}

/** Batches in flight are counted by InFlight (settled, waitForRoom, drain come from it). */
export class InspectEngine extends InFlight {
  readonly #options: InspectEngineOptions;

  constructor(options: InspectEngineOptions) {
    super(options.maxInFlight);
    this.#options = options;
  }

  /** Whether a batch went to the worker pool yet (which starts it). */
  get started(): boolean {
    return this.#options.pools.started;
  }

  /**
   * Sends a batch: to the worker pool, or with `here` to the main thread's pool, for a run whose
   * whole input is this one batch (a big file it hands back goes to the workers).
   */
  submit(batch: InspectBatch, here = false): void {
    if (batch.items.length === 0) return;
    const { pool, inMainThread } = this.#options.pools.poolFor(here);
    this.track(
      pool.apply(this.#options.inspectBatch ?? tasks.inspectBatch, [this.#request(batch, inMainThread)]),
      (result) => this.#onResult(batch, result),
      'an inspecting worker',
    );
  }

  #request(batch: InspectBatch, inMainThread: boolean): InspectRequest {
    const count = batch.items.length;
    const storedState = new Uint8Array(count);
    const stored = new BigInt64Array(count * STORED_FIELDS);
    const xattrsKnown = new Uint8Array(count);
    batch.items.forEach((item, i) => {
      const row = item.stored;
      if (row === undefined || row.type !== 'file') return;
      if (row.xattrs !== undefined) xattrsKnown[i] = 1;
      storedState[i] = row.digest ? StoredState.hashed : StoredState.unhashed;
      putStoredFingerprint(stored, i, row);
    });
    const list = new FileListBuilder();
    for (const item of batch.items) list.add(item.fullPath, 0, item.base);
    return {
      algorithm: this.#options.algorithm,
      list: list.build(),
      storedState,
      stored,
      recordedAtNs: this.#options.recordedAtNs,
      full: this.#options.full,
      xattrsKnown,
      ...(this.#options.reading ? { reading: this.#options.reading } : {}),
      ...(inMainThread ? { inMainThread } : {}),
    };
  }

  #onResult(batch: InspectBatch, result: InspectResult): void {
    const digestBytes = ALGORITHM_INFO[this.#options.algorithm].bytes;
    const digests = Buffer.from(result.digests.buffer, result.digests.byteOffset, result.digests.byteLength);
    const problems = new Map(result.problems.map((p) => [p.index, p]));
    const xattrBytes = Buffer.from(result.xattrs.buffer, result.xattrs.byteOffset, result.xattrs.byteLength);
    let xattrAt = 0;
    let later: InspectBatch | undefined;
    batch.items.forEach((item, i) => {
      const xattrLength = result.xattrLengths[i] as number;
      const xattrs =
        xattrLength < 0
          ? undefined
          : xattrLength === 0
            ? NO_XATTRS
            : xattrBytes.subarray(xattrAt, xattrAt + xattrLength);
      if (xattrLength > 0) xattrAt += xattrLength;
      const status = result.status[i];
      if (status === InspectStatus.later) {
        later ??= new InspectBatch();
        later.add(item);
        return;
      }
      const state = result.statValid[i] ? stateFrom(item.path, result, i) : undefined;
      if (state !== undefined && xattrs !== undefined) state.xattrs = xattrs;
      const deliver = (outcome: Inspected) => this.#options.onInspected(item, outcome);
      switch (status) {
        case InspectStatus.trusted: {
          // Filled in place rather than spread into a copy: a check that changes nothing is
          // mostly this branch, once per entry on the main thread (a copy cost 1.5 us an entry).
          const trusted = state ?? ({} as StateInProgress);
          trusted.digest = item.stored?.digest;
          // Read by the worker only when the baseline row had none (see InspectRequest.xattrsKnown).
          trusted.xattrs = trusted.xattrs ?? item.stored?.xattrs;
          deliver({ kind: 'state', state: trusted, read: 'trusted' });
          break;
        }
        case InspectStatus.hashed: {
          const digest = Buffer.from(digests.subarray(i * digestBytes, (i + 1) * digestBytes));
          deliver({ kind: 'state', state: { ...(state as EntryState), digest }, read: 'hashed' });
          break;
        }
        case InspectStatus.statOnly: {
          const target = result.targets[i];
          const withTarget = target ? { ...(state as EntryState), target: Buffer.from(target) } : (state as EntryState);
          deliver({ kind: 'state', state: withTarget, read: 'statOnly' });
          break;
        }
        case InspectStatus.unstable:
          deliver({ kind: 'unstable', state: state as EntryState });
          break;
        case InspectStatus.vanished:
          deliver({ kind: 'vanished' });
          break;
        default: {
          const problem = problems.get(i);
          deliver({
            kind: 'unreadable',
            state,
            code: problem?.code ?? 'EIO',
            message: problem?.message ?? 'cannot be read',
          });
        }
      }
    });
    this.#options.onBatchDone?.(result.bytesRead);
    if (later) this.submit(later);
  }
}

/** The record of an entry without extended attributes (most), shared. */
const NO_XATTRS = Buffer.alloc(0);

/** EntryState, with its extended attributes still to be filled in. */
type StateInProgress = { -readonly [K in keyof EntryState]: EntryState[K] };

function stateFrom(path: Buffer, result: InspectResult, i: number): StateInProgress {
  const st = statAt(result.stats, i);
  return {
    path,
    type: entryTypeOf(st.mode),
    size: BigInt(st.size),
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    ino: st.ino,
    nlink: st.nlink,
    mtimeNs: st.mtimeNs,
    ctimeNs: st.ctimeNs,
  };
}
