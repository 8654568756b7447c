/**
 * The parent snapshot's files as bytes: what a worker reads from the parent's trees
 * (parent-snapshot.ts) crosses to the main thread as one buffer, and each batch of entries
 * takes the records of its files from it as one buffer more. Objects would cost a structured
 * clone per file twice over (49k files: a few hundred ms of the main thread); bytes cost a copy.
 *
 * The table, record after record:
 *   path length (u32 LE) | path (the absolute path's bytes) | record length (u32 LE) | record
 * A record (all little-endian):
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
const REF_BYTES = 8 + 4 + BLOB_ID_BYTES;

/** Builds a table of parent files, growing one buffer. */
export class ParentFilesWriter {
  #bytes = Buffer.allocUnsafe(64 * 1024);
  #length = 0;
  #count = 0;

  get count(): number {
    return this.#count;
  }

  add(path: Buffer, file: ParentFile): void {
    let recordBytes = FIXED_BYTES + file.content.length * REF_BYTES;
    for (const x of file.xattrs ?? []) recordBytes += 8 + x.name.length + x.value.length;
    this.#reserve(8 + path.length + recordBytes);
    const out = this.#bytes;
    let at = this.#length;
    at = out.writeUInt32LE(path.length, at);
    at += path.copy(out, at);
    at = out.writeUInt32LE(recordBytes, at);
    at = out.writeDoubleLE(file.size, at);
    at = out.writeBigInt64LE(file.mtimeNs, at);
    at = out.writeBigInt64LE(file.ctimeNs, at);
    at = out.writeBigUInt64LE(file.ino, at);
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
  const mtimeNs = bytes.readBigInt64LE(at + 8);
  const ctimeNs = bytes.readBigInt64LE(at + 16);
  const ino = bytes.readBigUInt64LE(at + 24);
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
