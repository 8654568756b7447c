/**
 * Stores blobs of one repository: names each (keyed BLAKE3 of its plaintext), skips it when
 * the repository or this writer has it already, frames it (zstd or stored, by the
 * compression mode) and hands it to a PackWriter, which seals it into the pack being filled.
 * Each worker of a backup has its own writer and its own packs; the main thread has one for
 * trees. What a writer stored reaches the index only when the run lists its finished packs
 * (`takePacks`) in an index file, after the packs are durable.
 */

import { rmSync } from 'node:fs';
import type { Storage } from '../storage/storage.js';
import type { BlobIdHasher } from './blob-id.js';
import { type BlobCodec, type CompressionMode, STORED } from './compression.js';
import type { PackedKind } from './pack-header.js';
import { PackWriter, publishPacks, type StagedPack, type SuspendedPack, type WrittenPack } from './pack-writer.js';
import type { Sealer } from './sealer.js';

/** Whether the repository has a blob already (its loaded index). */
export type KnownBlobs = (id: Buffer) => boolean;

export interface BlobWriterOptions {
  readonly storage: Storage;
  readonly sealer: Sealer;
  readonly ids: BlobIdHasher;
  readonly codec: BlobCodec;
  readonly compression: CompressionMode;
  readonly known: KnownBlobs;
  /** Pack size to close at (tests make small packs). */
  readonly packTargetBytes?: number;
  /**
   * false: packs are not made durable one by one; the caller flushes the storage once for all
   * of them (a backup, before its index file lists them), which costs far less than an fsync
   * per pack. Until then a pack's name may outlive a power loss with incomplete contents; no
   * index lists it, so nothing reads it, and prune removes it.
   */
  readonly durable?: boolean;
}

/** What became of one blob: its id, and the bytes it added to the repository (0 when it was known). */
export interface StoredBlob {
  readonly id: Buffer;
  readonly storedBytes: number;
}

export class BlobWriter {
  readonly #options: BlobWriterOptions;
  readonly #packs: PackWriter;
  /** Ids this writer stored (latin1 of the 32 bytes: a cheap Set key). */
  readonly #stored = new Set<string>();
  #finished: StagedPack[] = [];

  constructor(options: BlobWriterOptions) {
    this.#options = options;
    this.#packs = new PackWriter(options.storage.stagingDir, options.sealer, {
      ...(options.packTargetBytes ? { targetBytes: options.packTargetBytes } : {}),
      writeback: options.storage.renamesIntoPlace,
    });
  }

  /** Names `plain` and stores it unless the repository or this writer has it. */
  store(kind: PackedKind, plain: Uint8Array): StoredBlob {
    const id = this.#options.ids.id(plain);
    const key = id.toString('latin1');
    if (this.#stored.has(key) || this.#options.known(id)) return { id, storedBytes: 0 };
    const framed = this.#options.codec.encode(plain, this.#options.compression);
    // Stored blobs go into the pack as they are (the entry's flag says so): the framing byte
    // would cost a copy of every incompressible chunk for nothing.
    const compressed = framed[0] !== STORED;
    const payload = compressed ? framed : Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength);
    const done = this.#packs.add({ kind, id, payload, rawLength: plain.length, compressed });
    this.#stored.add(key);
    if (done !== undefined) this.#finished.push(done);
    return { id, storedBytes: payload.length };
  }

  /**
   * Completes the pack being filled and moves every pack finished since the last call into the
   * repository (publishPacks); returns them. If it throws, the packs not yet moved are dropped.
   */
  async takePacks(): Promise<WrittenPack[]> {
    const last = this.#packs.flush();
    if (last !== undefined) this.#finished.push(last);
    return (await this.takeFinished()).packs;
  }

  /**
   * Moves every pack finished since the last call into the repository, as takePacks does, but
   * leaves the one being filled open for the next blobs. Returns them with the staged paths
   * they had (a caller that was told of a suspended pack learns here that it was completed).
   */
  async takeFinished(): Promise<{ packs: WrittenPack[]; completed: string[] }> {
    const packs = this.#finished;
    const completed = packs.map((pack) => pack.stagedPath);
    try {
      const written = await publishPacks(this.#options.storage, packs, { durable: this.#options.durable !== false });
      this.#finished = [];
      return { packs: written, completed };
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  /** The pack being filled, its file closed until the next store (PackWriter.suspend). */
  suspend(): SuspendedPack | undefined {
    return this.#packs.suspend();
  }

  /** Drops the pack being filled and the finished ones not yet published (a failed run): their blobs are stored nowhere. */
  abort(): void {
    this.#packs.abort();
    for (const pack of this.#finished) rmSync(pack.stagedPath, { force: true });
    this.#finished = [];
  }
}
