/**
 * Reads pack files, trusting nothing in them: the trailer's header length must lie within
 * the file, the header must open with the sealer and parse (pack-header.ts checks every
 * entry against the pack), and a blob is read only if its range lies before the header.
 * No read goes outside the pack and no allocation exceeds its size. Every failure is a
 * PackDamagedError naming the pack.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import {
  type BlobKind,
  MAX_PACK_BYTES,
  PackDamagedError,
  type PackEntry,
  parsePackHeader,
  type Sealer,
  TRAILER_BYTES,
} from './pack-header.js';

/** One open pack: its size and where its header starts are known and checked. */
export class PackReader {
  readonly path: string;
  readonly size: number;
  /** The offset of the sealed header: every blob lies before it. */
  readonly headerStart: number;
  readonly #fd: number;

  private constructor(path: string, fd: number, size: number, headerStart: number) {
    this.path = path;
    this.#fd = fd;
    this.size = size;
    this.headerStart = headerStart;
  }

  /** Opens the pack at `path` and checks its trailer. */
  static open(path: string): PackReader {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size < TRAILER_BYTES + 1) throw new PackDamagedError(path, `only ${size} bytes`);
      if (size > MAX_PACK_BYTES) throw new PackDamagedError(path, `${size} bytes, larger than any pack`);
      const trailer = Buffer.alloc(TRAILER_BYTES);
      readFully(path, fd, trailer, size - TRAILER_BYTES);
      const headerLength = trailer.readUInt32LE(0);
      if (headerLength === 0 || headerLength > size - TRAILER_BYTES) {
        throw new PackDamagedError(path, `a header of ${headerLength} bytes in a pack of ${size}`);
      }
      return new PackReader(path, fd, size, size - TRAILER_BYTES - headerLength);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** The pack's entries, from its header opened with `sealer`. */
  entries(sealer: Sealer): PackEntry[] {
    const sealed = Buffer.alloc(this.size - TRAILER_BYTES - this.headerStart);
    readFully(this.path, this.#fd, sealed, this.headerStart);
    return parsePackHeader(this.path, this.#open(sealer, sealed, 'pack-header'), this.headerStart);
  }

  /**
   * The opened payload of one blob (still compressed if `entry.compressed`), for an entry read
   * from this pack's header or from an index: its range is checked against the pack first,
   * and an uncompressed payload must have the raw length the entry records.
   */
  readBlob(
    sealer: Sealer,
    entry: Pick<PackEntry, 'kind' | 'offset' | 'sealedLength' | 'rawLength' | 'compressed'>,
  ): Buffer {
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
    const sealed = Buffer.alloc(sealedLength);
    readFully(this.path, this.#fd, sealed, offset);
    const payload = this.#open(sealer, sealed, entry.kind);
    if (!entry.compressed && payload.length !== entry.rawLength) {
      throw new PackDamagedError(
        this.path,
        `a blob of ${payload.length} bytes where its entry says ${entry.rawLength}`,
      );
    }
    return payload;
  }

  close(): void {
    closeSync(this.#fd);
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

/** Reads the header of the pack at `path`: its entries, checked. */
export function readPackEntries(path: string, sealer: Sealer): PackEntry[] {
  const reader = PackReader.open(path);
  try {
    return reader.entries(sealer);
  } finally {
    reader.close();
  }
}

/** Whether the pack's bytes hash to its id: verify's check that needs no key. */
export function packMatchesId(path: string, id: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (let at = 0; ; ) {
      const n = readSync(fd, buffer, 0, buffer.length, at);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
      at += n;
    }
    return hash.digest('hex') === id;
  } finally {
    closeSync(fd);
  }
}

/** What checking one pack found wrong (verify prints them; the pack's other blobs may still be fine). */
export type PackFinding =
  | { readonly kind: 'pack-id-mismatch'; readonly packId: string; readonly message: string }
  | { readonly kind: 'pack-damaged'; readonly packId: string; readonly message: string }
  | { readonly kind: 'blob-damaged'; readonly packId: string; readonly blobId: string; readonly message: string };

/**
 * Checks pack `id` at `path` as verify does: its bytes hash to its id (no key needed), and,
 * with `sealer`, its header reads back and every blob in it opens. Yields a finding for each
 * problem rather than stopping at the first, and returns the number of blobs that opened.
 */
export function* checkPack(path: string, id: string, sealer?: Sealer): Generator<PackFinding, number> {
  if (!packMatchesId(path, id)) {
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
    reader = PackReader.open(path);
  } catch (error) {
    yield { kind: 'pack-damaged', packId: id, message: (error as Error).message };
    return 0;
  }
  let good = 0;
  try {
    entries = reader.entries(sealer);
    for (const entry of entries) {
      try {
        reader.readBlob(sealer, entry);
        good++;
      } catch (error) {
        yield { kind: 'blob-damaged', packId: id, blobId: entry.id.toString('hex'), message: (error as Error).message };
      }
    }
  } catch (error) {
    yield { kind: 'pack-damaged', packId: id, message: (error as Error).message };
  } finally {
    reader.close();
  }
  return good;
}

function readFully(path: string, fd: number, into: Buffer, position: number): void {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) throw new PackDamagedError(path, 'it ends early (it shrank while read)');
    done += n;
  }
}
