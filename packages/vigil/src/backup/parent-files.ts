/**
 * The parent snapshot's files as bytes: what a worker reads from the parent's trees
 * (parent-snapshot.ts) crosses to the main thread as one buffer, and each batch of entries
 * takes the records of its files from it as one buffer more. Objects would cost a structured
 * clone per file twice over (49k files: a few hundred ms of the main thread); bytes cost a copy.
 *
 * The table, record after record:
 *   path length (u32 LE) | path (the absolute path's bytes) | record length (u32 LE) | record
 * A record (little-endian, but for the three 64-bit integers, in the machine's own order):
 *   size (f64) | mtimeNs (i64) | ctimeNs (i64) | ino (u64) | content count (u32) |
 *   xattr count (i32; -1: none recorded) | content refs, each: offset (f64), length (u32), id (32 bytes) |
 *   xattrs, each: name length (u32), name, value length (u32), value
 *
 * Only this program writes these bytes, in the same run (they never touch the repository).
 */
import type { Xattr } from '../fs/xattrs.js';
import { BLOB_ID_BYTES } from '../repo/pack-header.js';
import type { ContentRef } from '../repo/tree.js';
import type { ParentFile } from './protocol.js';

/** The records of one batch's entries: entry i's record starts at `at[i]` of `bytes` (-1: none). */
export interface ParentRecords {
  readonly bytes: Uint8Array;
  readonly at: Int32Array;
}

const FIXED_BYTES = 8 * 4 + 4 + 4;
const SCRATCH = new ArrayBuffer(24);
const SCRATCH_I64 = new BigInt64Array(SCRATCH);
const SCRATCH_U64 = new BigUint64Array(SCRATCH);
const SCRATCH_BYTES = Buffer.from(SCRATCH);
const REF_BYTES = 8 + 4 + BLOB_ID_BYTES;

/** Builds a table of parent files, growing one buffer. */
export class ParentFilesWriter {
  #bytes = Buffer.allocUnsafe(64 * 1024);
  #length = 0;
  #count = 0;

  get count(): number {
    return this.#count;
  }

  /** Adds the file at `dir` + `name` (`dir` ends in '/'). */
  add(dir: Buffer, name: Buffer, file: ParentFile): void {
    let recordBytes = FIXED_BYTES + file.content.length * REF_BYTES;
    for (const x of file.xattrs ?? []) recordBytes += 8 + x.name.length + x.value.length;
    const pathLength = dir.length + name.length;
    this.#reserve(8 + pathLength + recordBytes);
    const out = this.#bytes;
    let at = this.#length;
    at = out.writeUInt32LE(pathLength, at);
    at += dir.copy(out, at);
    at += name.copy(out, at);
    at = out.writeUInt32LE(recordBytes, at);
    at = out.writeDoubleLE(file.size, at);
    // Through one 8-byte scratch: Buffer's own BigInt writers split each value with BigInt arithmetic.
    SCRATCH_I64[0] = file.mtimeNs;
    SCRATCH_I64[1] = file.ctimeNs;
    SCRATCH_U64[2] = file.ino;
    at += SCRATCH_BYTES.copy(out, at);
    at = out.writeUInt32LE(file.content.length, at);
    at = out.writeInt32LE(file.xattrs === undefined ? -1 : file.xattrs.length, at);
    for (const ref of file.content) {
      at = out.writeDoubleLE(ref.offset, at);
      at = out.writeUInt32LE(ref.length, at);
      at += ref.id.copy(out, at);
    }
    for (const x of file.xattrs ?? []) {
      at = out.writeUInt32LE(x.name.length, at);
      at += x.name.copy(out, at);
      at = out.writeUInt32LE(x.value.length, at);
      at += x.value.copy(out, at);
    }
    this.#length = at;
    this.#count++;
  }

  /** The table: a copy of exactly its bytes, so the buffer that crosses threads holds nothing more. */
  finish(): Uint8Array {
    return Uint8Array.prototype.slice.call(this.#bytes, 0, this.#length);
  }

  #reserve(more: number): void {
    if (this.#length + more <= this.#bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#bytes.length * 2, this.#length + more));
    this.#bytes.copy(grown, 0, 0, this.#length);
    this.#bytes = grown;
  }
}

/** The main thread's side: a table of parent files by path, handing each batch its records. */
export class ParentFileTable {
  readonly #bytes: Buffer;
  /** Path (latin1) -> where its record length is in #bytes. */
  readonly #records = new Map<string, number>();

  static readonly EMPTY = new ParentFileTable(new Uint8Array(0));

  constructor(table: Uint8Array) {
    this.#bytes = Buffer.from(table.buffer, table.byteOffset, table.byteLength);
    const bytes = this.#bytes;
    for (let at = 0; at < bytes.length; ) {
      const pathLength = bytes.readUInt32LE(at);
      const path = bytes.toString('latin1', at + 4, at + 4 + pathLength);
      at += 4 + pathLength;
      this.#records.set(path, at);
      at += 4 + bytes.readUInt32LE(at);
    }
  }

  get size(): number {
    return this.#records.size;
  }

  /** The records of the files at `paths` (raw bytes), in one buffer. */
  recordsFor(paths: readonly Buffer[]): ParentRecords {
    const at = new Int32Array(paths.length).fill(-1);
    const found: number[] = [];
    let total = 0;
    paths.forEach((path, i) => {
      const where = this.#records.get(path.toString('latin1'));
      if (where === undefined) return;
      found.push(i, where);
      total += this.#bytes.readUInt32LE(where);
    });
    const bytes = Buffer.allocUnsafe(total);
    let to = 0;
    for (let k = 0; k < found.length; k += 2) {
      const where = found[k + 1] as number;
      const length = this.#bytes.readUInt32LE(where);
      at[found[k] as number] = to;
      to += this.#bytes.copy(bytes, to, where + 4, where + 4 + length);
    }
    return { bytes, at };
  }
}

/**
 * The tables `parts` joined, without the files at the paths `drop` holds (latin1 of each path,
 * as TreeAssembly keys them).
 */
export function joinTables(parts: readonly Uint8Array[], drop: ReadonlySet<string>): Uint8Array {
  const kept: Uint8Array[] = [];
  for (const part of parts) {
    const bytes = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
    for (let at = 0; at < bytes.length; ) {
      const pathLength = bytes.readUInt32LE(at);
      const end = at + 4 + pathLength + 4 + bytes.readUInt32LE(at + 4 + pathLength);
      if (drop.size === 0 || !drop.has(bytes.toString('latin1', at + 4, at + 4 + pathLength))) {
        kept.push(bytes.subarray(at, end));
      }
      at = end;
    }
  }
  return Buffer.concat(kept);
}

/** No parent: no records. */
export function noParentRecords(count: number): ParentRecords {
  return { bytes: new Uint8Array(0), at: new Int32Array(count).fill(-1) };
}

/** Entry i's parent file, or null (a worker's side). Its ids and attributes are views of `records.bytes`. */
export function parentFileAt(records: ParentRecords, i: number): ParentFile | null {
  const start = records.at[i];
  if (start === undefined || start < 0) return null;
  const bytes = Buffer.from(records.bytes.buffer, records.bytes.byteOffset, records.bytes.byteLength);
  let at = start;
  const size = bytes.readDoubleLE(at);
  bytes.copy(SCRATCH_BYTES, 0, at + 8, at + 32);
  const mtimeNs = SCRATCH_I64[0] as bigint;
  const ctimeNs = SCRATCH_I64[1] as bigint;
  const ino = SCRATCH_U64[2] as bigint;
  const refCount = bytes.readUInt32LE(at + 32);
  const xattrCount = bytes.readInt32LE(at + 36);
  at += FIXED_BYTES;
  const content: ContentRef[] = [];
  for (let r = 0; r < refCount; r++, at += REF_BYTES) {
    content.push({
      offset: bytes.readDoubleLE(at),
      length: bytes.readUInt32LE(at + 8),
      id: bytes.subarray(at + 12, at + 12 + BLOB_ID_BYTES),
    });
  }
  let xattrs: Xattr[] | undefined;
  if (xattrCount >= 0) {
    xattrs = [];
    for (let x = 0; x < xattrCount; x++) {
      const nameLength = bytes.readUInt32LE(at);
      const name = bytes.subarray(at + 4, at + 4 + nameLength);
      at += 4 + nameLength;
      const valueLength = bytes.readUInt32LE(at);
      xattrs.push({ name, value: bytes.subarray(at + 4, at + 4 + valueLength) });
      at += 4 + valueLength;
    }
  }
  return { size, mtimeNs, ctimeNs, ino, content, ...(xattrs ? { xattrs } : {}) };
}
