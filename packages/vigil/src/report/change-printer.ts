/** The interface `vigil check` reports through; text and JSON implementations follow it. */
import type { Change, ChangeKind } from '../baseline/compare.js';

export interface ChangeSummary {
  /** Changes by group. */
  readonly changes: Readonly<Record<ChangeKind, number>>;
  /** Entries the scan looked at. */
  readonly entries: number;
  /** Files read and hashed; the others were trusted by the fast path or are not files. */
  readonly hashed: number;
  readonly trusted: number;
  readonly bytesRead: number;
  /** Baseline entries under directories that could not be listed (neither confirmed nor removed). */
  readonly hidden: number;
  readonly baseline: string;
}

export interface ChangePrinter {
  change(change: Change): void;
  /** A diagnostic for stderr, already worded (`vigil: ` is added). */
  warn(message: string): void;
  /** Pushes buffered output out (after each batch, so reports stream). */
  flush(): void;
  /** A promise while stdout is full (the scan waits on it), else undefined. */
  readonly blocked: Promise<void> | undefined;
  finish(summary: ChangeSummary): Promise<void>;
}

export function totalChanges(summary: ChangeSummary): number {
  let total = 0;
  for (const count of Object.values(summary.changes)) total += count;
  return total;
}
