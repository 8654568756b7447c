/**
 * What the engines call: one loop per kind of batch over the reader's calls, turning each
 * record into an outcome for a visitor, so hashing, checking and backing up read files the
 * same way whichever reader runs. The byte budget and the sizes of batches live here too.
 */
import { closeSync, fstatSync, readSync } from 'node:fs';
import { CHANGED_WHILE_READ, describeMode, type FileFailure, failureFromErrno, failureFromError } from './failures.js';
import type { FileList } from './file-list.js';
import type { BatchBuffers, FileReader } from './file-reader.js';
import { addReading, type ReadingCounter } from './reading-bytes.js';
import { movedWhileRead, RECORD_SLOTS, ReadKind, STAT_SLOTS, type StatRecord, statAt } from './records.js';
import { canonicalXattrs } from './xattrs.js';

/** Files per batch sent to a worker: a few milliseconds of work on small files. */
export const FILES_PER_BATCH = 256;
/** Entries per batch of a baseline scan: most are trusted by a stat alone, so twice as many. */
export const ENTRIES_PER_BATCH = 2 * FILES_PER_BATCH;
/** A batch stops starting new files once it has read this much; the rest is sent again. */
export const BATCH_BYTE_BUDGET = 32 * 1024 * 1024;
/** In a batch of several files, a file bigger than this is sent back to be read on its own. */
export const ALONE_ABOVE_BYTES = 8 * 1024 * 1024;
/** Files up to this size are read whole into the arena; bigger ones are streamed (`large`). */
export const ARENA_BYTES = 1024 * 1024;

const EMPTY = Buffer.alloc(0);
let arena: Buffer | undefined;
let streamBuffer: Buffer | undefined;

/** This thread's arena, made on first use and reused by every call. */
export function readerArena(): Buffer {
  arena ??= Buffer.allocUnsafeSlow(ARENA_BYTES);
  return arena;
}

/** What became of one path. */
export type ReadOutcome =
  /**
   * Read whole and unchanged: `bytes` is a view of the arena, valid until the visitor returns.
   * `stat` is the fstat taken before the read (made when asked: hashing needs only `size`).
   */
  | { readonly kind: 'read'; readonly bytes: Buffer; readonly size: number; readonly stat: StatRecord }
  /** Bigger than the arena: stream it with `file.read` (or leave it: it is closed after the visit). */
  | { readonly kind: 'large'; readonly file: LargeFile; readonly size: number; readonly stat: StatRecord }
  | { readonly kind: 'failed'; readonly failure: FileFailure }
  | { readonly kind: 'changed'; readonly failure: FileFailure }
  | { readonly kind: 'notRegular'; readonly what: string; readonly mode: number }
  | { readonly kind: 'tooBig'; readonly size: number }
  | { readonly kind: 'linked'; readonly dev: number; readonly ino: number; readonly nlink: number };

/** A file too big for the arena, open, to be streamed once by the rule (fstat/read/fstat). */
export class LargeFile {
  #fd: number | undefined;
  readonly #size: number;
  readonly #before: StatRecord;
  readonly #reading: ReadingCounter | undefined;
  readonly #closeFd: (fd: number) => void;

  constructor(fd: number, before: StatRecord, reading?: ReadingCounter, closeFd: (fd: number) => void = closeSync) {
    this.#fd = fd;
    this.#closeFd = closeFd;
    this.#size = before.size;
    this.#before = before;
    this.#reading = reading;
  }

  /**
   * Reads it through this thread's stream buffer, giving each piece to `onChunk` (valid until
   * it returns) and counting it into the reading count while it lasts; closes it. Changed or
   * failed: a failure.
   */
  read(onChunk: (chunk: Buffer) => void): FileFailure | undefined {
    // The whole file is one range; a file that shrank ends it early and is "changed while read".
    return this.readRanges(
      (_fd, size) => (size > 0 ? [[0, size]] : []),
      onChunk,
      () => {},
    );
  }

  /**
   * Like `read`, but only the ranges `rangesOf` finds in it (a sparse file's data: its holes
   * are neither read nor handed on): `onPiece(piece)` for its bytes in order, and
   * `onRangeEnd(nextStart)` after each range (the start of the next one, or the size).
   */
  readRanges(
    rangesOf: (fd: number, size: number) => readonly (readonly [number, number])[],
    onPiece: (piece: Buffer) => void,
    onRangeEnd: (nextStart: number) => void,
  ): FileFailure | undefined {
    const fd = this.#fd;
    if (fd === undefined) throw new Error('LargeFile: read twice');
    streamBuffer ??= Buffer.allocUnsafeSlow(ARENA_BYTES);
    const buffer = streamBuffer;
    let counted = 0;
    try {
      const ranges = rangesOf(fd, this.#size);
      for (let r = 0; r < ranges.length; r++) {
        const [start, end] = ranges[r] as readonly [number, number];
        let at = start;
        while (at < end) {
          const n = readSync(fd, buffer, 0, Math.min(buffer.length, end - at), at);
          if (n === 0) return CHANGED_WHILE_READ; // shorter than its stat said: it shrank
          onPiece(n === buffer.length ? buffer : buffer.subarray(0, n));
          at += n;
          counted += n;
          addReading(this.#reading, n);
        }
        onRangeEnd((ranges[r + 1] as readonly [number, number] | undefined)?.[0] ?? this.#size);
      }
      return movedWhileRead(this.#before, fstatSync(fd, { bigint: true })) ? CHANGED_WHILE_READ : undefined;
    } catch (error) {
      return failureFromError(error);
    } finally {
      // The file's size (or nothing, if it failed) reaches the bar with its outcome.
      addReading(this.#reading, -counted);
      this.close();
    }
  }

  close(): void {
    if (this.#fd !== undefined) this.#closeFd(this.#fd);
    this.#fd = undefined;
  }
}

/** A file read (or to stream): its stat is decoded from the pass's array only if a visitor asks. */
class ReadFile<K extends 'read' | 'large'> {
  constructor(
    readonly kind: K,
    readonly bytes: Buffer,
    readonly file: K extends 'large' ? LargeFile : undefined,
    readonly size: number,
    readonly stats: BigInt64Array,
    readonly index: number,
  ) {}
  get stat(): StatRecord {
    return statAt(this.stats, this.index);
  }
}

/** The typed arrays of one pass over a list. */
class Pass implements BatchBuffers {
  readonly count: number;
  readonly cursor = new Uint32Array(2);
  readonly arena = readerArena();
  readonly records: Float64Array;
  readonly stats: BigInt64Array;
  constructor(
    readonly list: FileList,
    readonly reading?: ReadingCounter,
  ) {
    this.count = list.flags.length;
    this.records = new Float64Array(this.count * RECORD_SLOTS);
    this.stats = new BigInt64Array(this.count * STAT_SLOTS);
  }
  get index(): number {
    return this.cursor[0] as number;
  }
  slot(i: number, n: number): number {
    return this.records[i * RECORD_SLOTS + n] as number;
  }
  /** The outcome of path i, other than `read` and `large`. */
  unread(i: number): ReadOutcome {
    switch (this.slot(i, 0)) {
      case ReadKind.failed:
        return this.failed(i);
      case ReadKind.changed:
        return { kind: 'changed', failure: CHANGED_WHILE_READ };
      case ReadKind.notRegular:
        return { kind: 'notRegular', what: describeMode(this.slot(i, 1)), mode: this.slot(i, 1) };
      case ReadKind.tooBig:
        return { kind: 'tooBig', size: this.slot(i, 2) };
      case ReadKind.linked:
        return { kind: 'linked', dev: this.slot(i, 1), ino: this.slot(i, 2), nlink: this.slot(i, 3) };
      default:
        throw new Error(`the reader gave an unknown outcome ${this.slot(i, 0)} for path ${i}`);
    }
  }
  /** What path i's record points at in the arena (slot 1 offset, slot 2 length): file bytes, a link target, attributes. */
  arenaBytes(i: number): Buffer {
    const offset = this.slot(i, 1);
    return this.arena.subarray(offset, offset + this.slot(i, 2));
  }
  /** Path i failed: slot 1 holds the errno (the same in every kind of call). */
  failed(i: number): { readonly kind: 'failed'; readonly failure: FileFailure } {
    return { kind: 'failed', failure: failureFromErrno(this.slot(i, 1)) };
  }
  /**
   * The cursor protocol from the caller's side, for every kind of call: `call` the reader
   * until every path is done (each call starts where the last one stopped) or `more` says
   * stop, and visit in order the paths each call did.
   */
  callUntilDone(call: () => void, visit: (i: number) => void, more: () => boolean = () => true): void {
    while (this.index < this.count && more()) {
      const from = this.index;
      call();
      if (this.index === from) throw new Error(`the reader made no progress at path ${from} of ${this.count}`);
      for (let i = from; i < this.index; i++) visit(i);
    }
  }
}

export interface ReadOptions {
  /** A file bigger than this is not read (`tooBig`). */
  readonly deferAbove: number;
  /** Stop starting calls once this many bytes were read; undefined: no budget. */
  readonly byteBudget?: number;
  /** Where the pieces of big files are counted while they are read (reading-bytes.ts). */
  readonly reading?: ReadingCounter | undefined;
}

/**
 * Reads every file of `list` (or up to the budget) and calls `visit(i, outcome)` per path in
 * order. Returns the index of the first path not attempted (list length when all were).
 */
export function eachRead(
  reader: FileReader,
  list: FileList,
  options: ReadOptions,
  visit: (i: number, outcome: ReadOutcome) => void,
): number {
  const pass = new Pass(list, options.reading);
  let bytes = 0;
  pass.callUntilDone(
    () => reader.readFiles(list, pass, options.deferAbove),
    (i) => {
      const kind = pass.slot(i, 0);
      if (kind === ReadKind.read) {
        const size = pass.slot(i, 2);
        bytes += size;
        visit(i, new ReadFile('read', pass.arenaBytes(i), undefined, size, pass.stats, i));
      } else if (kind === ReadKind.large) {
        const file = new LargeFile(pass.slot(i, 1), statAt(pass.stats, i), options.reading, (fd) =>
          reader.closeLarge(fd),
        );
        const size = pass.slot(i, 2);
        bytes += size;
        try {
          visit(i, new ReadFile('large', EMPTY, file, size, pass.stats, i));
        } finally {
          file.close();
        }
      } else {
        visit(i, pass.unread(i));
      }
    },
    () => options.byteBudget === undefined || bytes < options.byteBudget,
  );
  return pass.index;
}

/**
 * Hashes every file of `list` inside the reader with `algorithm` (one FileReader.canHash
 * takes) into `digests` (at i x digest length), up to `byteBudget`; calls `visit` per path (a
 * `read` outcome has empty bytes: the digest is in `digests`). Returns the index of the first path not attempted.
 */
export function eachHash(
  reader: FileReader,
  list: FileList,
  options: ReadOptions & { readonly algorithm: string; readonly digests: Uint8Array },
  visit: (i: number, outcome: ReadOutcome) => void,
): number {
  const pass = new Pass(list, options.reading);
  const byteBudget = options.byteBudget ?? Number.POSITIVE_INFINITY;
  reader.hashFiles(list, pass, options.deferAbove, {
    algorithm: options.algorithm,
    digests: options.digests,
    byteBudget,
  });
  for (let i = 0; i < pass.index; i++) {
    if (pass.slot(i, 0) === ReadKind.read) {
      const size = pass.slot(i, 2);
      // The reader left a big file's pieces in the reading count: its size now goes with its outcome.
      if (size > pass.arena.length) addReading(options.reading, -size);
      visit(i, new ReadFile('read', EMPTY, undefined, size, pass.stats, i));
    } else visit(i, pass.unread(i));
  }
  return pass.index;
}

/** What lstat beneath the root found at one path. */
export type StatOutcome =
  | { readonly kind: 'stat'; readonly stat: StatRecord; readonly type: string; readonly target?: Buffer }
  | { readonly kind: 'failed'; readonly failure: FileFailure };

/** lstat of every path of `list` beneath its root (never following a link); symlinks come with their target. */
export function eachStat(reader: FileReader, list: FileList, visit: (i: number, outcome: StatOutcome) => void): void {
  const pass = new Pass(list);
  pass.callUntilDone(
    () => reader.statFiles(list, pass),
    (i) => {
      if (pass.slot(i, 0) !== ReadKind.read) return visit(i, pass.failed(i));
      const stat = statAt(pass.stats, i);
      const type = describeMode(stat.mode);
      if (type !== 'symlink') return visit(i, { kind: 'stat', stat, type });
      visit(i, { kind: 'stat', stat, type, target: Buffer.from(pass.arenaBytes(i)) });
    },
  );
}

/** The extended attributes found at one path: a canonical record (xattrs.ts), or why none was read. */
export type XattrOutcome =
  | { readonly kind: 'xattrs'; readonly record: Buffer }
  | { readonly kind: 'failed'; readonly failure: FileFailure };

/**
 * The extended attributes of every path of `list` beneath its root (never following a link),
 * sorted into canonical records. Only for a reader whose `readsXattrs` is true.
 */
export function eachXattrs(
  reader: FileReader,
  list: FileList,
  visit: (i: number, outcome: XattrOutcome) => void,
): void {
  const pass = new Pass(list);
  pass.callUntilDone(
    () => reader.xattrFiles(list, pass),
    (i) => {
      if (pass.slot(i, 0) !== ReadKind.read) return visit(i, pass.failed(i));
      visit(i, { kind: 'xattrs', record: canonicalXattrs(pass.arenaBytes(i)) });
    },
  );
}
