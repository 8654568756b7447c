/**
 * Turns the scan's per-entry calls into changes: each one goes to the printer as soon as it
 * is known, except additions and removals, which are held (path, stat, hash: about 200
 * bytes each) until the scan ends and `settleAddedRemoved` can tell moves and type changes
 * from true additions and removals.
 *
 * Entries whose baseline row has no record of extended attributes while the scan read them
 * (a baseline from before they were recorded, or made without the native reader) are not
 * compared there; they are counted and named once at the end, with what to do.
 */
import {
  CHANGE_KINDS,
  type Change,
  type ChangeKind,
  compareEntry,
  type Scanned,
  settleAddedRemoved,
} from './compare.js';
import { type EntryState, keyOf } from './entry.js';

/** Where changes go as they are settled (a printer, in the commands). */
export interface ChangeSink {
  change(change: Change): void;
  /** A diagnostic for stderr, already worded. */
  warn(message: string): void;
}

export class ChangeStream {
  readonly #printer: ChangeSink;
  readonly #added: EntryState[] = [];
  readonly #removed: EntryState[] = [];
  readonly counts: Record<ChangeKind, number> = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<
    ChangeKind,
    number
  >;

  constructor(printer: ChangeSink) {
    this.#printer = printer;
  }

  /** Entries compared without their extended attributes, the baseline having none recorded. */
  xattrsUnrecorded = 0;

  onEntry(stored: EntryState | undefined, scanned: Scanned | undefined): void {
    if (stored !== undefined && stored.xattrs === undefined && scanned?.kind === 'state' && scanned.state.xattrs) {
      this.xattrsUnrecorded++;
    }
    for (const change of compareEntry(stored, scanned)) {
      if (change.kind === 'added') this.#added.push(change.after);
      else if (change.kind === 'removed') this.#removed.push(change.before);
      else this.#emit(change);
    }
  }

  /** Settles the held additions and removals and reports them. */
  finish(): void {
    // Completion order is the workers' order; reports read better in path order.
    const byKey = (a: EntryState, b: EntryState) => Buffer.compare(keyOf(a.path, a.type), keyOf(b.path, b.type));
    this.#added.sort(byKey);
    this.#removed.sort(byKey);
    for (const change of settleAddedRemoved(this.#added, this.#removed)) this.#emit(change);
    this.#added.length = 0;
    this.#removed.length = 0;
    if (this.xattrsUnrecorded > 0) {
      this.#printer.warn(
        `${this.xattrsUnrecorded} entries of the baseline have no record of extended attributes (it was made by an older vigil, or without the native reader), so theirs were not compared; run "vigil accept" to record them`,
      );
    }
  }

  #emit(change: Change): void {
    this.counts[change.kind]++;
    if (change.kind === 'unreadable')
      this.#printer.warn(`${change.path.toString('utf8').replace(/\n/g, '\\n')}: ${change.message}`);
    this.#printer.change(change);
  }
}
