/**
 * `vigil check` for people: changes grouped (added, removed, modified, moved, metadata,
 * touched, unreadable, unstable), then a summary line; coloured on a terminal unless
 * NO_COLOR is set. Grouping means holding the changes until the end (about 200 bytes each);
 * `--ndjson` streams instead. When nothing changed, only the summary line is printed.
 */
import type { Formatter } from 'picocolors/types.js';
import type { Change, ChangeKind } from '../baseline/compare.js';
import type { EntryState } from '../baseline/entry.js';
import { describeXattrChange, diffXattrs } from '../baseline/xattr-changes.js';
import { type ChangePrinter, type ChangeSummary, totalChanges } from './change-printer.js';
import { BufferedPrinter, type PrinterStreams } from './printer.js';
import { quotePath } from './quote-path.js';

export interface Colors {
  readonly red: Formatter;
  readonly green: Formatter;
  readonly yellow: Formatter;
  readonly cyan: Formatter;
  readonly magenta: Formatter;
  readonly dim: Formatter;
  readonly bold: Formatter;
}

export interface ChangeTextPrinterOptions extends PrinterStreams {
  readonly colors: Colors;
  /** The closing line (default: check's); `vigil diff` says what it compared instead. */
  readonly summaryLine?: (summary: ChangeSummary) => string;
}

/** Each kind's mark, in the order the groups are printed. */
const MARK: Readonly<Record<ChangeKind, string>> = {
  added: '+',
  removed: '-',
  modified: '~',
  moved: '>',
  metadata: '*',
  touched: '.',
  unreadable: '!',
  unstable: '?',
};

export class ChangeTextPrinter extends BufferedPrinter<ChangeTextPrinterOptions> implements ChangePrinter {
  readonly #groups = new Map<ChangeKind, string[]>();

  change(change: Change): void {
    let group = this.#groups.get(change.kind);
    if (group === undefined) {
      group = [];
      this.#groups.set(change.kind, group);
    }
    group.push(this.#line(change));
  }

  flush(): void {}

  async finish(summary: ChangeSummary): Promise<void> {
    const c = this.options.colors;
    for (const kind of Object.keys(MARK) as ChangeKind[]) {
      const lines = this.#groups.get(kind);
      if (lines === undefined) continue;
      this.out.write(`${c.bold(`${kind} (${lines.length}):`)}\n`);
      for (const line of lines) this.out.write(`  ${line}\n`);
      this.#groups.delete(kind);
    }
    this.out.write(`${(this.options.summaryLine ?? summaryLine)(summary)}\n`);
    await this.out.end();
  }

  #line(change: Change): string {
    const c = this.options.colors;
    const mark = MARK[change.kind];
    const path = quotePath(change.path);
    switch (change.kind) {
      case 'added':
        return c.green(`${mark} ${path}${typeNote(change.after)}`);
      case 'removed':
        return c.red(`${mark} ${path}${typeNote(change.before)}`);
      case 'modified':
        return c.yellow(`${mark} ${path}`) + c.dim(` (${sizeChange(change.before, change.after)})`);
      case 'moved':
        return c.cyan(`${mark} ${quotePath(change.from)} -> ${path}`);
      case 'metadata':
        return `${c.magenta(`${mark} ${path}`)} ${c.dim(`(${describeFields(change)})`)}`;
      case 'touched':
        return c.dim(`${mark} ${path} (mtime changed, content identical)`);
      case 'unreadable':
        return c.red(`${mark} ${path}: ${change.message}`);
      case 'unstable':
        return c.yellow(`${mark} ${path}: changed while being read; check again when it is quiet`);
    }
  }
}

function typeNote(state: EntryState): string {
  return state.type === 'file' ? '' : state.type === 'dir' ? '/' : ` (${state.type})`;
}

function sizeChange(before: EntryState, after: EntryState): string {
  return before.size === after.size ? `content, ${after.size} bytes` : `content, ${before.size} -> ${after.size} bytes`;
}

function describeFields(change: Extract<Change, { kind: 'metadata' }>): string {
  const { before, after } = change;
  return change.fields
    .map((field) => {
      switch (field) {
        case 'mode':
          return `mode ${octal(before.mode)} -> ${octal(after.mode)}`;
        case 'owner':
          return `owner ${before.uid}:${before.gid} -> ${after.uid}:${after.gid}`;
        case 'type':
          return `type ${before.type} -> ${after.type}`;
        case 'xattrs':
          return diffXattrs(before.xattrs ?? EMPTY, after.xattrs ?? EMPTY)
            .map(describeXattrChange)
            .join(', ');
        default:
          return `link target ${quotePath(before.target ?? Buffer.alloc(0))} -> ${quotePath(after.target ?? Buffer.alloc(0))}`;
      }
    })
    .join(', ');
}

const EMPTY = Buffer.alloc(0);

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

export function summaryLine(summary: ChangeSummary): string {
  const total = totalChanges(summary);
  const checked = `${summary.entries} entries checked, ${summary.hashed} read, ${summary.trusted} trusted unread`;
  const hidden = summary.hidden > 0 ? `; ${summary.hidden} recorded entries hidden by unlistable directories` : '';
  if (total === 0) return `No changes (${checked}${hidden}).`;
  const parts = Object.entries(summary.changes)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`);
  return `Summary: ${parts.join(', ')} (${checked}${hidden}).`;
}
