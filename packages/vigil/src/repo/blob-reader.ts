/**
 * Reads blobs of one repository by id: finds each in the index, reads it from its pack with
 * every check of pack-reader.ts, decodes it bounded by the raw length the index records, and
 * checks that its plaintext hashes to its id (so a blob swapped between packs, or an index
 * pointing at the wrong bytes, is caught). Packs stay open while reads go on in them.
 */
import { VigilError } from '../errors.js';
import type { BlobIdHasher } from './blob-id.js';
import { formatBlobId } from './blob-id.js';
import type { BlobCodec } from './compression.js';
import type { BlobIndex } from './index-table.js';
import type { PackedKind } from './pack-header.js';
import { PackReader } from './pack-reader.js';
import { packPath } from './pack-writer.js';
import type { Sealer } from './sealer.js';

/** A blob the index does not list, or that failed a check: names the blob and why. */
export class BlobUnreadableError extends VigilError {
  readonly blobId: string;
  constructor(id: Uint8Array, why: string, options?: { cause?: unknown }) {
    super('ERR_VIGIL_BLOB_UNREADABLE', `blob ${formatBlobId(id).slice(0, 16)}: ${why}`, options);
    this.blobId = formatBlobId(id);
  }
}

const OPEN_PACKS = 16;

export class BlobReader {
  readonly #root: string;
  readonly #index: BlobIndex;
  readonly #sealer: Sealer;
  readonly #ids: BlobIdHasher;
  readonly #codec: BlobCodec;
  /** Open packs, least recently used first. */
  readonly #open = new Map<string, PackReader>();

  constructor(root: string, index: BlobIndex, sealer: Sealer, ids: BlobIdHasher, codec: BlobCodec) {
    this.#root = root;
    this.#index = index;
    this.#sealer = sealer;
    this.#ids = ids;
    this.#codec = codec;
  }

  /** The plaintext of blob `id` of `kind`; throws BlobUnreadableError. */
  read(id: Uint8Array, kind: PackedKind): Buffer {
    const entry = this.#index.find(id);
    if (entry === undefined) throw new BlobUnreadableError(id, 'no index file lists it (missing from the repository)');
    if (entry.kind !== kind)
      throw new BlobUnreadableError(id, `it is a ${entry.kind} blob where a ${kind} one is needed`);
    let plain: Buffer;
    try {
      const payload = this.#pack(entry.packId).readBlob(this.#sealer, entry);
      plain = entry.compressed ? this.#codec.decode(payload, { rawLength: entry.rawLength }) : payload;
    } catch (error) {
      throw new BlobUnreadableError(id, `in pack ${entry.packId.slice(0, 16)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (!this.#ids.id(plain).equals(id)) {
      throw new BlobUnreadableError(id, `pack ${entry.packId.slice(0, 16)} holds other bytes under its id`);
    }
    return plain;
  }

  /** A file's chunk: blob `id` of kind data, which must hold the `length` bytes the tree records. */
  readChunk(id: Uint8Array, length: number): Buffer {
    const bytes = this.read(id, 'data');
    if (bytes.length !== length) {
      throw new BlobUnreadableError(id, `it holds ${bytes.length} bytes where the tree records ${length}`);
    }
    return bytes;
  }

  /** Whether `bytes` are the plaintext of blob `id` (its keyed id): restore compares what TARGET holds. */
  isBlob(id: Uint8Array, bytes: Uint8Array): boolean {
    return this.#ids.id(bytes).equals(id);
  }

  close(): void {
    for (const pack of this.#open.values()) pack.close();
    this.#open.clear();
  }

  #pack(id: string): PackReader {
    let pack = this.#open.get(id);
    if (pack !== undefined) {
      this.#open.delete(id);
      this.#open.set(id, pack);
      return pack;
    }
    pack = PackReader.open(packPath(this.#root, id));
    this.#open.set(id, pack);
    if (this.#open.size > OPEN_PACKS) {
      const [oldest, reader] = this.#open.entries().next().value as [string, PackReader];
      reader.close();
      this.#open.delete(oldest);
    }
    return pack;
  }
}
