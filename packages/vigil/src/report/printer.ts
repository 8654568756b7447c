/** The one interface commands print through; text and JSON implementations follow it. */
import type { CheckRecord, CheckSummary, EntryRecord, HashSummary } from './records.js';

export interface Printer {
  entry(record: EntryRecord): void;
  check(record: CheckRecord): void;
  /** A diagnostic for stderr, already worded (`vigil: ` is added). */
  warn(message: string): void;
  /** A promise while stdout is full (the pipeline waits on it), else undefined. */
  readonly blocked: Promise<void> | undefined;
  finishHash(summary: HashSummary): Promise<void>;
  finishCheck(summary: CheckSummary): Promise<void>;
}

/** Where printers write diagnostics; the progress bar supplies one that keeps its line intact. */
export type DiagnosticSink = (line: string) => void;

/** How a path is shown to people on stderr: its bytes as they are, minus the newlines that would break the line. */
export function displayPath(path: Buffer): string {
  return path.toString('utf8').replace(/\n/g, '\\n');
}
