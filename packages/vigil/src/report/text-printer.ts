/**
 * Text output: checksum lines exactly as sha256sum/b3sum print them (or BSD tags), and
 * `NAME: OK` / `NAME: FAILED` / `NAME: FAILED open or read` for --check, as coreutils does
 * (b3sum's `NAME: FAILED (REASON)` for BLAKE3 lines).
 * Diagnostics go to stderr, after flushing stdout so the two stay in order on a terminal.
 */

import { constants as osConstants } from 'node:os';
import type { AlgorithmName } from '../checksums/algorithms.js';
import { formatCheckedName, type LineShape, type LineStyle, writeChecksumLine } from '../checksums/format.js';
import type { RecordSink } from '../scan/record-sink.js';
import type { CheckRecord, CheckSummary, EntryRecord, HashSummary } from '../scan/records.js';
import { BufferedPrinter, displayPath, type PrinterStreams } from './printer.js';

export interface TextPrinterOptions extends PrinterStreams {
  readonly algorithm: AlgorithmName;
  readonly style: LineStyle;
  /** -b, -z, --no-names. */
  readonly shape?: LineShape;
  /** `--raw`: the digest's bytes alone (b3sum), for one file. */
  readonly raw?: boolean;
  /** Hash mode: no notices about skipped entries. Check mode: no OK lines. */
  readonly quiet: boolean;
  /** Hash mode: name each symlink the walk skipped (else one line counts them at the end). */
  readonly verbose?: boolean;
  /** Check mode: print nothing on stdout. */
  readonly status: boolean;
}

export class TextPrinter extends BufferedPrinter<TextPrinterOptions> implements RecordSink {
  /** Symlinks the walk skipped and did not name (a tree can hold thousands: /usr/lib). */
  #unnamedSymlinks = 0;

  entry(record: EntryRecord): void {
    switch (record.type) {
      case 'file': {
        const { algorithm, style, shape, raw } = this.options;
        if (raw) this.out.write(record.digest);
        else writeChecksumLine(this.out, algorithm, style, record.digest, record.path, shape);
        break;
      }
      case 'error':
        this.warn(`${displayPath(record.path)}: ${record.message}${hintFor(record.code)}`);
        break;
      case 'skipped':
        if (this.options.quiet) break;
        if (record.reason === 'symlink' && !this.options.verbose) this.#unnamedSymlinks++;
        else this.warn(`${displayPath(record.path)}: skipped ${record.reason}${skipHint(record.reason)}`);
        break;
    }
  }

  check(record: CheckRecord): void {
    if (record.status === 'unreadable') this.warn(`${displayPath(record.path)}: ${record.message ?? 'cannot be read'}`);
    if (this.options.status) return;
    if (record.status === 'ok' && this.options.quiet) return;
    const verdict =
      record.status === 'ok'
        ? ': OK\n'
        : record.status === 'failed'
          ? ': FAILED\n'
          : record.algorithm === 'blake3'
            ? `: FAILED (${b3sumReason(record)})\n`
            : ': FAILED open or read\n';
    this.out.write(formatCheckedName(record.path, record.algorithm));
    this.out.write(verdict);
  }

  /** Flushes stdout first, so that on a terminal a warning stands after the lines before it. */
  override warn(message: string): void {
    this.out.flush();
    super.warn(message);
  }

  async finishHash(_summary: HashSummary): Promise<void> {
    const links = this.#unnamedSymlinks;
    if (links > 0) {
      const what = links === 1 ? '1 symbolic link' : `${links} symbolic links`;
      this.warn(`skipped ${what} (not followed; --follow hashes targets); --verbose lists them`);
    }
    await this.out.end();
  }

  async finishCheck(_summary: CheckSummary): Promise<void> {
    await this.out.end();
  }
}

/** Why a file could not be checked, worded as b3sum --check words it: `MESSAGE (os error N)`. */
function b3sumReason(record: CheckRecord): string {
  const message = record.message ?? 'cannot be read';
  const errno = record.code === undefined ? undefined : (osConstants.errno as Record<string, number>)[record.code];
  return errno === undefined ? message : `${message} (os error ${errno})`;
}

function hintFor(code: string): string {
  if (code === 'EACCES' || code === 'EPERM') return ' (read it as a user who may, or --exclude it)';
  return '';
}

function skipHint(reason: string): string {
  if (reason === 'symlink') return ' (not followed; --follow hashes its target)';
  if (reason === 'fifo' || reason === 'socket' || reason === 'device') return ' (never opened)';
  return '';
}
