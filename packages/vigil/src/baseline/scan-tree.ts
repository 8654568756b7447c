/**
 * One pass over a tree against a baseline: walk -> merge with the baseline rows -> batches
 * -> inspecting workers -> one `(path, stored, scanned)` call per entry, in completion order.
 *
 * The walk yields entries in key order and the baseline streams its rows in key order, so
 * matching a path to its row is a merge in one pass: no row is held except those riding
 * with batches in flight, and a row the walk passed by without meeting is a removal.
 * A directory that cannot be listed hides its recorded contents: they are neither present
 * nor removed, and are not reported as removed.
 */

import type { AlgorithmName } from '../checksums/algorithms.js';
import { walk } from '../fs/walk.js';
import type { HashPools } from '../pool/hash-pools.js';
import type { ProgressSink } from '../progress-sink.js';
import type { Scanned } from './compare.js';
import { type EntryState, keyOf } from './entry.js';
import { InspectBatch, InspectEngine, type InspectEngineOptions } from './inspect-engine.js';
import { isExcludedBy } from './location.js';

export interface ScanTreeOptions {
  /** The tree's root as given (a directory). */
  readonly root: string;
  readonly excludes: readonly string[];
  /** Relative paths left out whatever the excludes say (see location.ts `alwaysExcluded`). */
  readonly alwaysExcluded: readonly Buffer[];
  readonly pools: HashPools;
  readonly algorithm: AlgorithmName;
  /** The baseline's rows in key order (none for a first baseline). */
  readonly stored: Iterator<EntryState> | undefined;
  /** The baseline's scan start: the fast path's racy-timestamp reference. */
  readonly recordedAtNs: bigint;
  /** Read every file (`--full`). */
  readonly full: boolean;
  readonly progress: ProgressSink;
  /**
   * One call per path: what the baseline holds (if anything) and what the scan found
   * (undefined: nothing there). Calls come in completion order, not path order.
   */
  readonly onEntry: (stored: EntryState | undefined, scanned: Scanned | undefined) => void;
  /** After each batch: printers flush here so reports stream. */
  readonly onBatchDone?: () => void;
  /** A promise while output is backed up: the walk waits for it. */
  readonly blocked?: () => Promise<void> | undefined;
  /** The worker task (tests give one that observes reads). */
  readonly inspectBatch?: InspectEngineOptions['inspectBatch'];
  /** Where workers count what they have read of big files (see InspectEngineOptions). */
  readonly reading?: InspectEngineOptions['reading'];
}

export interface ScanTotals {
  entries: number;
  /** Files read and hashed (the rest were trusted by the fast path, or are not files). */
  hashed: number;
  trusted: number;
  bytesRead: number;
  /** Baseline rows under directories that could not be listed: neither confirmed nor removed. */
  hidden: number;
}

export async function scanTree(options: ScanTreeOptions): Promise<ScanTotals> {
  const { pools, progress, onEntry } = options;
  const totals: ScanTotals = { entries: 0, hashed: 0, trusted: 0, bytesRead: 0, hidden: 0 };
  const rootBytes = Buffer.from(options.root);
  const prefixLength = options.root === '.' ? 0 : options.root.endsWith('/') ? rootBytes.length : rootBytes.length + 1;
  const rows = new StoredCursor(options.stored);
  const hiddenPrefixes: Buffer[] = [];
  const isHidden = (key: Buffer) => hiddenPrefixes.some((prefix) => startsWith(key, prefix));
  const passRow = (row: EntryState, key: Buffer) => {
    if (isHidden(key)) totals.hidden++;
    else onEntry(row, undefined);
  };

  const engine = new InspectEngine({
    pools,
    algorithm: options.algorithm,
    recordedAtNs: options.recordedAtNs,
    full: options.full,
    inspectBatch: options.inspectBatch,
    reading: options.reading,
    maxInFlight: pools.workers * 3,
    onInspected: (item, outcome) => {
      totals.entries++;
      progress.fileDone(0);
      switch (outcome.kind) {
        case 'state':
          if (outcome.read === 'hashed') totals.hashed++;
          else if (outcome.read === 'trusted') totals.trusted++;
          onEntry(item.stored, { kind: 'state', state: outcome.state });
          break;
        case 'unreadable':
          onEntry(item.stored, {
            kind: 'unreadable',
            path: item.path,
            ...(outcome.state ? { state: outcome.state } : {}),
            code: outcome.code,
            message: outcome.message,
          });
          break;
        case 'unstable':
          onEntry(item.stored, { kind: 'unstable', path: item.path, state: outcome.state });
          break;
        case 'vanished':
          // Deleted between the walk and the stat: as if the walk had not seen it.
          if (item.stored) onEntry(item.stored, undefined);
          break;
      }
    },
    onBatchDone: (bytes) => {
      totals.bytesRead += bytes;
      progress.bytesRead(bytes);
      options.onBatchDone?.();
    },
  });

  let batch = new InspectBatch();
  const send = async () => {
    engine.submit(batch);
    batch = new InspectBatch();
    await engine.waitForRoom();
    for (let wait = options.blocked?.(); wait; wait = options.blocked?.()) await wait;
  };
  const slash = Buffer.from('/');

  for await (const entries of walk([rootBytes], {
    follow: false,
    oneFileSystem: false,
    excludes: options.excludes,
    directories: true,
  })) {
    for (const entry of entries) {
      if (entry.path.equals(rootBytes)) {
        // The root itself: a root that cannot be listed hides everything recorded.
        if (entry.kind === 'error') {
          hiddenPrefixes.push(Buffer.alloc(0));
          onEntry(undefined, { kind: 'unreadable', path: Buffer.from('.'), code: entry.code, message: entry.message });
        }
        continue;
      }
      const path = entry.path.subarray(prefixLength);
      if (isExcludedBy(path, options.alwaysExcluded)) continue;
      // Without --follow, the walk's only errors are directories it could not list: the
      // directory is still inspected (its mode is likely what changed) and reported
      // unreadable, and its recorded contents are hidden rather than reported as removed.
      const isDirectory = entry.kind === 'directory' || entry.kind === 'error';
      const key = isDirectory ? Buffer.concat([path, slash]) : path;
      const stored = rows.advanceTo(key, passRow);
      if (entry.kind === 'error') {
        hiddenPrefixes.push(key);
        onEntry(undefined, { kind: 'unreadable', path, code: entry.code, message: entry.message });
      }
      batch.add({ fullPath: entry.path, base: prefixLength, path, stored });
      // Counted before it is sent, so the bar's total never runs below the entries done.
      progress.found(1);
      if (batch.full) await send();
    }
    // Workers idle while a partial batch waits for the walk: send it now. Until the first batch
    // fills, none are started: a walk that ends first is inspected in this thread.
    if (batch.items.length > 0 && engine.started && engine.count < pools.workers) await send();
  }
  if (batch.items.length > 0) engine.submit(batch, !engine.started);
  rows.finish(passRow);
  progress.walkDone();
  await engine.drain();
  return totals;
}

/** The baseline's rows, consumed in step with the walk. */
class StoredCursor {
  readonly #rows: Iterator<EntryState> | undefined;
  #current: EntryState | undefined;
  #currentKey: Buffer | undefined;

  constructor(rows: Iterator<EntryState> | undefined) {
    this.#rows = rows;
    this.#next();
  }

  /** Passes (as removed) every row before `key`; returns the row at `key`, if any. */
  advanceTo(key: Buffer, pass: (row: EntryState, key: Buffer) => void): EntryState | undefined {
    while (this.#current !== undefined && this.#currentKey !== undefined) {
      const order = Buffer.compare(this.#currentKey, key);
      if (order > 0) return undefined;
      const row = this.#current;
      const rowKey = this.#currentKey;
      this.#next();
      if (order === 0) return row;
      pass(row, rowKey);
    }
    return undefined;
  }

  finish(pass: (row: EntryState, key: Buffer) => void): void {
    while (this.#current !== undefined && this.#currentKey !== undefined) {
      const row = this.#current;
      const rowKey = this.#currentKey;
      this.#next();
      pass(row, rowKey);
    }
  }

  #next(): void {
    const next = this.#rows?.next();
    if (next === undefined || next.done) {
      this.#current = undefined;
      this.#currentKey = undefined;
      return;
    }
    this.#current = next.value;
    this.#currentKey = keyOf(next.value.path, next.value.type);
  }
}

function startsWith(key: Buffer, prefix: Buffer): boolean {
  return key.length >= prefix.length && key.subarray(0, prefix.length).equals(prefix);
}
