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

/** Puts a batch's entries into columns (a worker's side). */
export function encodeStoredEntries(entries: readonly StoredEntry[]): StoredEntries {
  const count = entries.length;
  const types = new Uint8Array(count);
  const cuts = new Uint32Array(count * CUTS);
  const figures = new Float64Array(count * FIGURES);
  const parts: string[] = [];
  const extras: Extra[] = [];
  let length = 0;
  entries.forEach((entry, i) => {
    if (!entry.ok) {
      types[i] = FAILED;
      cuts.fill(length, i * CUTS, (i + 1) * CUTS);
      extras.push({ at: i, failure: { message: entry.message, vanished: entry.vanished } });
      return;
    }
    const { record } = entry;
    types[i] = TYPE_CODES.get(record.type) as number;
    parts.push(record.members, record.content, record.stamp);
    cuts[i * CUTS] = length += record.members.length;
    cuts[i * CUTS + 1] = length += record.content.length;
    cuts[i * CUTS + 2] = length += record.stamp.length;
    const f = i * FIGURES;
    figures[f] = entry.size;
    figures[f + 1] = entry.dataBytes;
    figures[f + 2] = entry.newBytes;
    figures[f + 3] = entry.storedBytes;
    figures[f + 4] = entry.newBlobs;
    if (record.link !== undefined || entry.skipped !== undefined) {
      extras.push({
        at: i,
        ...(record.link !== undefined ? { link: record.link } : {}),
        ...(entry.skipped !== undefined ? { skipped: entry.skipped } : {}),
      });
    }
  });
  return { types, text: parts.join(''), cuts, figures, extras };
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
