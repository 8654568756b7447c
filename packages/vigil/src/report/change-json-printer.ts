/**
 * `vigil check --json` (one document, its `changes` array streamed as found) and
 * `--ndjson` (one object per change, flushed after each batch, then a summary line).
 * A path that is not valid UTF-8 also comes as `pathBase64` (`fromBase64` for a move's origin).
 * A metadata change of extended attributes lists them: `xattrs: [{name, change, meaning?}]`.
 */
import { isUtf8 } from 'node:buffer';
import type { Change } from '../baseline/compare.js';
import type { EntryState } from '../baseline/entry.js';
import { diffXattrs } from '../baseline/xattr-changes.js';
import type { ChangePrinter, ChangeSummary } from './change-printer.js';
import { BufferedPrinter, type PrinterStreams } from './printer.js';

export interface ChangeJsonPrinterOptions extends PrinterStreams {
  readonly lines: boolean;
}

export class ChangeJsonPrinter extends BufferedPrinter<ChangeJsonPrinterOptions> implements ChangePrinter {
  #count = 0;

  constructor(options: ChangeJsonPrinterOptions) {
    super(options);
    if (!options.lines) this.out.write('{"mode":"check","changes":[\n');
  }

  change(change: Change): void {
    const text = JSON.stringify(changeToJson(change));
    if (this.options.lines) this.out.write(`${text}\n`);
    else this.out.write(this.#count === 0 ? text : `,\n${text}`);
    this.#count++;
  }

  flush(): void {
    this.out.flush();
  }

  async finish(summary: ChangeSummary): Promise<void> {
    if (this.options.lines) this.out.write(`${JSON.stringify({ type: 'summary', ...summary })}\n`);
    else this.out.write(`${this.#count > 0 ? '\n' : ''}],"summary":${JSON.stringify(summary)}}\n`);
    await this.out.end();
  }
}

export function changeToJson(change: Change): Record<string, unknown> {
  const base = { type: change.kind, ...pathFields(change.path, 'path') };
  switch (change.kind) {
    case 'added':
      return { ...base, after: stateToJson(change.after) };
    case 'removed':
      return { ...base, before: stateToJson(change.before) };
    case 'moved':
      return {
        ...base,
        ...pathFields(change.from, 'from'),
        before: stateToJson(change.before),
        after: stateToJson(change.after),
      };
    case 'metadata':
      return {
        ...base,
        fields: change.fields,
        ...(change.fields.includes('xattrs')
          ? { xattrs: diffXattrs(change.before.xattrs ?? EMPTY, change.after.xattrs ?? EMPTY) }
          : {}),
        before: stateToJson(change.before),
        after: stateToJson(change.after),
      };
    case 'modified':
    case 'touched':
      return { ...base, before: stateToJson(change.before), after: stateToJson(change.after) };
    case 'unreadable':
      return { ...base, code: change.code, message: change.message };
    case 'unstable':
      return { ...base, message: 'changed while being read' };
  }
}

const EMPTY = Buffer.alloc(0);

function stateToJson(state: EntryState): Record<string, unknown> {
  return {
    kind: state.type,
    size: Number(state.size),
    mode: `0${state.mode.toString(8).padStart(3, '0')}`,
    uid: state.uid,
    gid: state.gid,
    mtimeNs: state.mtimeNs.toString(),
    ...(state.digest ? { hash: state.digest.toString('hex') } : {}),
    ...(state.target ? pathFields(state.target, 'target') : {}),
  };
}

function pathFields(path: Buffer, name: string): Record<string, string> {
  const text = path.toString('utf8');
  return isUtf8(path) ? { [name]: text } : { [name]: text, [`${name}Base64`]: path.toString('base64') };
}
