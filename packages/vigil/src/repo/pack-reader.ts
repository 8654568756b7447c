/**
 * Reads pack files, trusting nothing in them: the trailer's header length must lie within
 * the file, the header must open with the sealer and parse (pack-header.ts checks every
 * entry against the pack), and a blob is read only if its range lies before the header.
 * No read goes outside the pack and no allocation exceeds its size. Every failure is a
 * PackDamagedError naming the pack.
 */
import { createHash } from 'node:crypto';
import type { RangeReader, Storage } from '../storage/storage.js';
import {
  type BlobKind,
  MAX_PACK_BYTES,
  PackDamagedError,
  type PackEntry,
  parsePackHeader,
  type Sealer,
  TRAILER_BYTES,
} from './pack-header.js';
import { packName } from './pack-writer.js';

/** One open pack: its size and where its header starts are known and checked. */
export class PackReader {
  /** How messages name the pack: its repository's location and its name there. */
  readonly path: string;
  readonly size: number;
  /** The offset of the sealed header: every blob lies before it. */
  readonly headerStart: number;
  readonly #file: RangeReader;
  /** Bytes a read of a smaller blob fetches from its offset on (0: exactly the blob). */
  readonly #span: number;
  /** What the last such read fetched: blobs within it are served from it. */
  #fetched: { start: number; bytes: Buffer } | undefined;

  private constructor(path: string, file: RangeReader, headerStart: number, span: number) {
    this.path = path;
    this.#file = file;
    this.size = file.size;
    this.headerStart = headerStart;
    this.#span = span;
  }

  /**
   * Opens pack `id` of `storage` and checks its trailer. `span`: a blob smaller than this is
   * read with the bytes after it, up to `span` in all, and the blobs that lie within are
   * served from them: restore reads a pack's small blobs mostly in the order they were
   * stored, and one read per blob cost more than the bytes (bounded: one span per open pack).
   */
  static async open(storage: Storage, id: string, span = 0): Promise<PackReader> {
    const path = packLocation(storage, id);
    const file = await storage.openReader(packName(id));
    try {
      const size = file.size;
      if (size < TRAILER_BYTES + 1) throw new PackDamagedError(path, `only ${size} bytes`);
      if (size > MAX_PACK_BYTES) throw new PackDamagedError(path, `${size} bytes, larger than any pack`);
      const trailer = await readFully(path, file, size - TRAILER_BYTES, TRAILER_BYTES);
      const headerLength = trailer.readUInt32LE(0);
      if (headerLength === 0 || headerLength > size - TRAILER_BYTES) {
        throw new PackDamagedError(path, `a header of ${headerLength} bytes in a pack of ${size}`);
      }
      return new PackReader(path, file, size - TRAILER_BYTES - headerLength, span);
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  /** The pack's entries, from its header opened with `sealer`. */
  async entries(sealer: Sealer): Promise<PackEntry[]> {
    const sealed = await readFully(
      this.path,
      this.#file,
      this.headerStart,
      this.size - TRAILER_BYTES - this.headerStart,
    );
    return parsePackHeader(this.path, this.#open(sealer, sealed, 'pack-header'), this.headerStart);
  }

  /**
   * The opened payload of one blob (still compressed if `entry.compressed`), for an entry read
   * from this pack's header or from an index: its range is checked against the pack first,
   * and an uncompressed payload must have the raw length the entry records.
   */
  async readBlob(
    sealer: Sealer,
    entry: Pick<PackEntry, 'kind' | 'offset' | 'sealedLength' | 'rawLength' | 'compressed'>,
  ): Promise<Buffer> {
    const { offset, sealedLength } = entry;
    if (!(Number.isSafeInteger(offset) && Number.isSafeInteger(sealedLength) && offset >= 0 && sealedLength > 0)) {
      throw new PackDamagedError(this.path, `a blob range ${offset}+${sealedLength} that is no range`);
    }
    if (offset + sealedLength > this.headerStart) {
      throw new PackDamagedError(
        this.path,
        `a blob at ${offset} of ${sealedLength} bytes runs past the blobs (${this.headerStart})`,
      );
    }
    const sealed = await this.#read(offset, sealedLength);
    const payload = this.#open(sealer, sealed, entry.kind);
    if (!entry.compressed && payload.length !== entry.rawLength) {
      throw new PackDamagedError(
        this.path,
        `a blob of ${payload.length} bytes where its entry says ${entry.rawLength}`,
      );
    }
    return payload;
  }

  close(): Promise<void> {
    this.#fetched = undefined;
    return this.#file.close();
  }

  /** The checked range [offset, offset + length) of the blobs, from the last span fetched where it lies within. */
  async #read(offset: number, length: number): Promise<Buffer> {
    const fetched = this.#fetched;
    if (fetched !== undefined && offset >= fetched.start && offset + length <= fetched.start + fetched.bytes.length) {
      return fetched.bytes.subarray(offset - fetched.start, offset - fetched.start + length);
    }
    if (length >= this.#span) return readFully(this.path, this.#file, offset, length);
    const bytes = await readFully(this.path, this.#file, offset, Math.min(this.#span, this.headerStart - offset));
    this.#fetched = { start: offset, bytes };
    return bytes.subarray(0, length);
  }

  #open(sealer: Sealer, sealed: Buffer, kind: BlobKind): Buffer {
    try {
      return sealer.open(sealed, kind);
    } catch (error) {
      throw new PackDamagedError(this.path, `a ${kind} blob does not open (${(error as Error).message})`, {
        cause: error,
      });
    }
  }
}

/** How messages name pack `id` of `storage`. */
export function packLocation(storage: Storage, id: string): string {
  return `${storage.location}/${packName(id)}`;
}

/** Reads the header of pack `id`: its entries, checked. */
export async function readPackEntries(storage: Storage, id: string, sealer: Sealer): Promise<PackEntry[]> {
  const reader = await PackReader.open(storage, id);
  try {
    return await reader.entries(sealer);
  } finally {
    await reader.close();
  }
}

/** Bytes hashed per read: bounded memory for a pack of any size, few round trips to a remote one. */
const HASH_READ_BYTES = 4 << 20;

/** Whether pack `id`'s bytes hash to its id: verify's check that needs no key. */
export async function packMatchesId(storage: Storage, id: string): Promise<boolean> {
  const file = await storage.openReader(packName(id));
  try {
    const hash = createHash('sha256');
    for (let at = 0; at < file.size; at += HASH_READ_BYTES) {
      hash.update(await file.read(at, Math.min(HASH_READ_BYTES, file.size - at)));
    }
    return hash.digest('hex') === id;
  } finally {
    await file.close();
  }
}

/** What checking one pack found wrong (verify prints them; the pack's other blobs may still be fine). */
export type PackFinding =
  | { readonly kind: 'pack-id-mismatch'; readonly packId: string; readonly message: string }
  | { readonly kind: 'pack-damaged'; readonly packId: string; readonly message: string }
  | { readonly kind: 'blob-damaged'; readonly packId: string; readonly blobId: string; readonly message: string };

/**
 * Checks pack `id` as verify does: its bytes hash to its id (no key needed), and, with
 * `sealer`, its header reads back and every blob in it opens. Yields a finding for each
 * problem rather than stopping at the first, and returns the number of blobs that opened.
 */
export async function* checkPack(storage: Storage, id: string, sealer?: Sealer): AsyncGenerator<PackFinding, number> {
  const path = packLocation(storage, id);
  if (!(await packMatchesId(storage, id))) {
    yield {
      kind: 'pack-id-mismatch',
      packId: id,
      message: `the pack ${path} does not hash to its name: it was changed`,
    };
  }
  if (sealer === undefined) return 0;
  let reader: PackReader;
  let entries: PackEntry[];
  try {
    reader = await PackReader.open(storage, id);
  } catch (error) {
    yield { kind: 'pack-damaged', packId: id, message: (error as Error).message };
    return 0;
  }
  let good = 0;
  try {
    entries = await reader.entries(sealer);
    for (const entry of entries) {
      try {
        await reader.readBlob(sealer, entry);
        good++;
      } catch (error) {
        yield { kind: 'blob-damaged', packId: id, blobId: entry.id.toString('hex'), message: (error as Error).message };
      }
    }
  } catch (error) {
    yield { kind: 'pack-damaged', packId: id, message: (error as Error).message };
  } finally {
    await reader.close();
  }
  return good;
}

/** Reads a range the pack's checks put inside it; a file that ends early is damaged (it shrank while read). */
async function readFully(path: string, file: RangeReader, offset: number, length: number): Promise<Buffer> {
  try {
    return await file.read(offset, length);
  } catch (error) {
    throw new PackDamagedError(path, `it cannot be read at ${offset} (${(error as Error).message})`, { cause: error });
  }
}
