/**
 * JSON output for machines: `--json` writes one document whose `entries` array streams as
 * files finish (nothing is accumulated); `--ndjson` writes one object per line and a final
 * summary line. A path that is not valid UTF-8 also comes as `pathBase64`, byte for byte.
 */
import { isUtf8 } from 'node:buffer';
import type { AlgorithmName } from '../checksums/algorithms.js';
import type { RecordSink } from '../scan/record-sink.js';
import type { CheckRecord, CheckSummary, EntryRecord, HashSummary } from '../scan/records.js';
import { BufferedPrinter, displayPath, type PrinterStreams } from './printer.js';

export interface JsonPrinterOptions extends PrinterStreams {
  readonly algorithm: AlgorithmName;
  readonly mode: 'hash' | 'check';
  /** One object per line (`--ndjson`) rather than one document (`--json`). */
  readonly lines: boolean;
  /** Check mode, `--status`: no entries, only the summary. */
  readonly status: boolean;
}

export class JsonPrinter extends BufferedPrinter<JsonPrinterOptions> implements RecordSink {
  #count = 0;

  constructor(options: JsonPrinterOptions) {
    super(options);
    if (!options.lines) {
      const head = options.mode === 'hash' ? { mode: 'hash', algorithm: options.algorithm } : { mode: 'check' };
      this.out.write(`${JSON.stringify(head).slice(0, -1)},"entries":[\n`);
    }
  }

  entry(record: EntryRecord): void {
    switch (record.type) {
      case 'file':
        this.#write({
          type: 'file',
          ...pathFields(record.path),
          hash: record.digest.toString('hex'),
          size: record.size,
        });
        break;
      case 'error':
        this.warn(`${displayPath(record.path)}: ${record.message}`);
        this.#write({ type: 'error', ...pathFields(record.path), code: record.code, message: record.message });
        break;
      case 'skipped':
        this.#write({ type: 'skipped', ...pathFields(record.path), reason: record.reason });
        break;
    }
  }

  check(record: CheckRecord): void {
    if (record.status === 'unreadable') this.warn(`${displayPath(record.path)}: ${record.message ?? 'cannot be read'}`);
    if (this.options.status) return;
    const { path, type, ...rest } = record;
    this.#write({ type, ...pathFields(path), ...rest });
  }

  async finishHash(summary: HashSummary): Promise<void> {
    await this.#finish(summary);
  }

  async finishCheck(summary: CheckSummary): Promise<void> {
    await this.#finish(summary);
  }

  async #finish(summary: HashSummary | CheckSummary): Promise<void> {
    if (this.options.lines) this.out.write(`${JSON.stringify({ type: 'summary', ...summary })}\n`);
    else this.out.write(`${this.#count > 0 ? '\n' : ''}],"summary":${JSON.stringify(summary)}}\n`);
    await this.out.end();
  }

  #write(value: object): void {
    const text = JSON.stringify(value);
    if (this.options.lines) this.out.write(`${text}\n`);
    else this.out.write(this.#count === 0 ? text : `,\n${text}`);
    this.#count++;
  }
}

function pathFields(path: Buffer): { path: string; pathBase64?: string } {
  const text = path.toString('utf8');
  return isUtf8(path) ? { path: text } : { path: text, pathBase64: path.toString('base64') };
}
