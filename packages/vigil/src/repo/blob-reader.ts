/**
 * Reads blobs of one repository by id: finds each in the index, reads it from its pack with
 * every check of pack-reader.ts, decodes it bounded by the raw length the index records, and
 * checks that its plaintext hashes to its id (so a blob swapped between packs, or an index
 * pointing at the wrong bytes, is caught). Packs stay open while reads go on in them.
 */
import { VigilError } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import type { BlobIdHasher } from './blob-id.js';
import { formatBlobId } from './blob-id.js';
import type { BlobCodec } from './compression.js';
import type { BlobIndex } from './index-table.js';
import type { PackedKind } from './pack-header.js';
import { PackReader } from './pack-reader.js';
import type { Sealer } from './sealer.js';

/** A blob the index does not list, or that failed a check: names the blob and why. */
export class BlobUnreadableError extends VigilError {
  readonly blobId: string;
  constructor(id: Uint8Array, why: string, options?: { cause?: unknown }) {
    super('ERR_VIGIL_BLOB_UNREADABLE', `blob ${formatBlobId(id).slice(0, 16)}: ${why}`, options);
    this.blobId = formatBlobId(id);
  }
}

/**
 * Packs a reader keeps open by default: a restore or a verify reads pack by pack, and workers
 * each hold a reader, so a few open files each are enough and stay far below the process's
 * limit on open files (1024 by default) whatever --jobs says.
 */
const OPEN_PACKS = 16;

/**
 * Packs a walk over a whole snapshot's trees keeps open (ls, find, diff, a backup reading its
 * parent): a snapshot's unchanged directories are trees stored by earlier backups, each
 * backup's in packs of its own, and a walk goes back and forth between them (at 100 backups
 * of /usr/share, 2,073 pack opens for 100 packs with 16 open; over SFTP each is 4 round trips).
 * One such reader in the main thread stays far below the limit on open files.
 */
export const TREE_WALK_OPEN_PACKS = 256;

export interface BlobReaderOptions {
  /**
   * Packs kept open at once (least recently used closed first). A walk of a snapshot's trees
   * (ls, find, diff) goes back and forth between the tree packs of every earlier backup that
   * still holds one of its directories; one reader in the main thread can keep them all open.
   */
  readonly openPacks?: number;
  /** Bytes a pack read of a small blob fetches ahead (PackReader.open's span; default 0: none). */
  readonly readAheadBytes?: number;
}

export class BlobReader {
  readonly #storage: Storage;
  readonly #index: BlobIndex;
  readonly #sealer: Sealer;
  readonly #ids: BlobIdHasher;
  readonly #codec: BlobCodec;
  /** Open packs (or packs being opened), least recently used first. */
  readonly #open = new Map<string, OpenPack>();
  readonly #openPacks: number;
  readonly #readAhead: number;

  constructor(
    storage: Storage,
    index: BlobIndex,
    sealer: Sealer,
    ids: BlobIdHasher,
    codec: BlobCodec,
    options: BlobReaderOptions = {},
  ) {
    this.#openPacks = options.openPacks ?? OPEN_PACKS;
    this.#readAhead = options.readAheadBytes ?? 0;
    this.#storage = storage;
    this.#index = index;
    this.#sealer = sealer;
    this.#ids = ids;
    this.#codec = codec;
  }

  /** The plaintext of blob `id` of `kind`; throws BlobUnreadableError. */
  async read(id: Uint8Array, kind: PackedKind): Promise<Buffer> {
    const entry = this.#index.find(id);
    if (entry === undefined) throw new BlobUnreadableError(id, 'no index file lists it (missing from the repository)');
    if (entry.kind !== kind)
      throw new BlobUnreadableError(id, `it is a ${entry.kind} blob where a ${kind} one is needed`);
    let plain: Buffer;
    try {
      const payload = await this.#readFrom(entry.packId, entry);
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
  async readChunk(id: Uint8Array, length: number): Promise<Buffer> {
    const bytes = await this.read(id, 'data');
    if (bytes.length !== length) {
      throw new BlobUnreadableError(id, `it holds ${bytes.length} bytes where the tree records ${length}`);
    }
    return bytes;
  }

  /** Whether `bytes` are the plaintext of blob `id` (its keyed id): restore compares what TARGET holds. */
  isBlob(id: Uint8Array, bytes: Uint8Array): boolean {
    return this.#ids.id(bytes).equals(id);
  }

  async close(): Promise<void> {
    const open = [...this.#open.values()];
    this.#open.clear();
    for (const pack of open) await pack.evict();
  }

  async #readFrom(id: string, entry: Parameters<PackReader['readBlob']>[1]): Promise<Buffer> {
    let pack = this.#open.get(id);
    if (pack !== undefined) {
      this.#open.delete(id);
      this.#open.set(id, pack);
    } else {
      pack = new OpenPack(PackReader.open(this.#storage, id, this.#readAhead));
      this.#open.set(id, pack);
      if (this.#open.size > this.#openPacks) {
        const [oldest, reader] = this.#open.entries().next().value as [string, OpenPack];
        this.#open.delete(oldest);
        void reader.evict();
      }
    }
    try {
      return await pack.read(this.#sealer, entry);
    } catch (error) {
      // A pack that failed to open is not kept: the next read tries again (and reports again).
      if (pack.failed && this.#open.get(id) === pack) this.#open.delete(id);
      throw error;
    }
  }
}

/**
 * A pack kept open by a BlobReader. Reads may overlap (callers that await several at once),
 * so an evicted pack closes only after the reads begun in it end: its file is never closed
 * under a read.
 */
class OpenPack {
  readonly #reader: Promise<PackReader>;
  #busy = 0;
  #evicted = false;
  #closed = false;
  failed = false;

  constructor(reader: Promise<PackReader>) {
    this.#reader = reader;
    reader.catch(() => {
      this.failed = true;
    });
  }

  async read(sealer: Sealer, entry: Parameters<PackReader['readBlob']>[1]): Promise<Buffer> {
    this.#busy++;
    try {
      return await (await this.#reader).readBlob(sealer, entry);
    } finally {
      this.#busy--;
      if (this.#evicted && this.#busy === 0) await this.#close();
    }
  }

  async evict(): Promise<void> {
    this.#evicted = true;
    if (this.#busy === 0) await this.#close();
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await (await this.#reader).close();
    } catch {
      // It failed to open: nothing to close.
    }
  }
}
