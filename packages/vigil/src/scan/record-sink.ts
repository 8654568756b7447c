/**
 * Where the hashing engine (hashTree, checkChecksumFiles) sends what it found, one record
 * per entry or checksum line, in order. The commands hand it a printer (report/) that
 * implements this; the engine knows no printer.
 */
import type { CheckRecord, CheckSummary, EntryRecord, HashSummary } from './records.js';

export interface RecordSink {
  entry(record: EntryRecord): void;
  check(record: CheckRecord): void;
  /** A diagnostic for stderr, already worded (`vigil: ` is added). */
  warn(message: string): void;
  /** A promise while stdout is full (the pipeline waits on it), else undefined. */
  readonly blocked: Promise<void> | undefined;
  finishHash(summary: HashSummary): Promise<void>;
  finishCheck(summary: CheckSummary): Promise<void>;
}
