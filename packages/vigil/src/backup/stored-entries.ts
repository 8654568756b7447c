/**
 * A batch's entries as they cross from a backup worker to the main thread: in columns, not
 * as an object per entry. Every record's text goes into one string, the figures into one
 * Float64Array, the types into one Uint8Array; only the few entries with more to say (a
 * hard link, a socket, a failure) carry an object. Structured clone copies a string or a
 * typed array in one piece, where an object per entry cost its serialisation on the worker
 * and its revival on the main thread, field by field (on a second backup of /usr/share, most
 * of the workers' `postMessage` time).
 */
import type { NodeType } from '../repo/metadata.js';
import type { EntryRecord } from './entry-record.js';
import type { StoredEntry } from './protocol.js';

/** The wire form of a batch's StoredEntry list. */
export interface StoredEntries {
  /** Per entry: its NodeType's place in TYPES, or FAILED. */
  readonly types: Uint8Array;
  /** Every record's text: per entry its members, content and stamp, one after another. */
  readonly text: string;
  /** Per entry, where its members, content and stamp end in `text`. */
  readonly cuts: Uint32Array;
  /** Per entry: size, dataBytes, newBytes, storedBytes, newBlobs. */
  readonly figures: Float64Array;
  /** Per entry that has any: its link identity, why it is skipped, or why it failed. */
  readonly extras: readonly Extra[];
}

interface Extra {
  readonly at: number;
  readonly link?: string;
  readonly skipped?: string;
  readonly failure?: { readonly message: string; readonly vanished: boolean };
}

const TYPES: readonly NodeType[] = ['file', 'dir', 'symlink', 'fifo', 'char', 'block', 'socket'];
const TYPE_CODES = new Map(TYPES.map((type, code) => [type, code]));
const FAILED = 0xff;
const CUTS = 3;
const FIGURES = 5;

/** Figures of one stored entry (StoredEntry's, as the writer takes them). */
export interface EntryFigures {
  readonly size: number;
  readonly dataBytes: number;
  readonly newBytes: number;
  readonly storedBytes: number;
  readonly newBlobs: number;
}

/**
 * Puts a batch's entries into columns, one after another (a worker's side): no object per
 * entry on the way, the text appended to one string (V8 joins the pieces once, when the
 * message is cloned).
 */
export class StoredEntriesWriter {
  readonly #types: Uint8Array;
  readonly #cuts: Uint32Array;
  readonly #figures: Float64Array;
  readonly #extras: Extra[] = [];
  #text = '';
  #count = 0;

  constructor(capacity: number) {
    this.#types = new Uint8Array(capacity);
    this.#cuts = new Uint32Array(capacity * CUTS);
    this.#figures = new Float64Array(capacity * FIGURES);
  }

  ok(record: EntryRecord, figures: EntryFigures, skipped?: string): void {
    const i = this.#count++;
    this.#types[i] = TYPE_CODES.get(record.type) as number;
    const c = i * CUTS;
    this.#text += record.members;
    this.#cuts[c] = this.#text.length;
    this.#text += record.content;
    this.#cuts[c + 1] = this.#text.length;
    this.#text += record.stamp;
    this.#cuts[c + 2] = this.#text.length;
    const f = i * FIGURES;
    const out = this.#figures;
    out[f] = figures.size;
    out[f + 1] = figures.dataBytes;
    out[f + 2] = figures.newBytes;
    out[f + 3] = figures.storedBytes;
    out[f + 4] = figures.newBlobs;
    if (record.link !== undefined || skipped !== undefined) {
      this.#extras.push({
        at: i,
        ...(record.link !== undefined ? { link: record.link } : {}),
        ...(skipped !== undefined ? { skipped } : {}),
      });
    }
  }

  failed(message: string, vanished: boolean): void {
    const i = this.#count++;
    this.#types[i] = FAILED;
    this.#cuts.fill(this.#text.length, i * CUTS, (i + 1) * CUTS);
    this.#extras.push({ at: i, failure: { message, vanished } });
  }

  finish(): StoredEntries {
    const n = this.#count;
    return {
      types: this.#types.subarray(0, n),
      text: this.#text,
      cuts: this.#cuts.subarray(0, n * CUTS),
      figures: this.#figures.subarray(0, n * FIGURES),
      extras: this.#extras,
    };
  }
}

/** Puts a list of entries into columns. */
export function encodeStoredEntries(entries: readonly StoredEntry[]): StoredEntries {
  const writer = new StoredEntriesWriter(entries.length);
  for (const entry of entries) {
    if (entry.ok) writer.ok(entry.record, entry, entry.skipped);
    else writer.failed(entry.message, entry.vanished);
  }
  return writer.finish();
}

/** The entries again (the main thread's side); records are slices of the batch's one string. */
export function decodeStoredEntries(entries: StoredEntries): StoredEntry[] {
  const { types, text, cuts, figures } = entries;
  const extras = new Map(entries.extras.map((extra) => [extra.at, extra]));
  const out = new Array<StoredEntry>(types.length);
  let start = 0;
  for (let i = 0; i < types.length; i++) {
    const extra = extras.get(i);
    const code = types[i] as number;
    if (code === FAILED) {
      const failure = extra?.failure ?? { message: 'no reason given', vanished: false };
      out[i] = { ok: false, message: failure.message, vanished: failure.vanished };
      start = cuts[i * CUTS + 2] as number;
      continue;
    }
    const type = TYPES[code];
    if (type === undefined) throw new TypeError(`a backup worker sent entry type ${code}, which is none`);
    const membersEnd = cuts[i * CUTS] as number;
    const contentEnd = cuts[i * CUTS + 1] as number;
    const stampEnd = cuts[i * CUTS + 2] as number;
    const record: EntryRecord = {
      type,
      members: text.slice(start, membersEnd),
      content: text.slice(membersEnd, contentEnd),
      stamp: text.slice(contentEnd, stampEnd),
      ...(extra?.link !== undefined ? { link: extra.link } : {}),
    };
    start = stampEnd;
    const f = i * FIGURES;
    out[i] = {
      ok: true,
      record,
      size: figures[f] as number,
      dataBytes: figures[f + 1] as number,
      newBytes: figures[f + 2] as number,
      storedBytes: figures[f + 3] as number,
      newBlobs: figures[f + 4] as number,
      ...(extra?.skipped !== undefined ? { skipped: extra.skipped } : {}),
    };
  }
  return out;
}
