/**
 * Writes blobs into pack files: each blob is sealed and appended to a file in the storage's
 * staging folder (a local folder: REPO/tmp for a local repository); when the pack reaches its
 * target size (about 16 MiB) or on `flush`, the sealed header and its length are appended and
 * the file is complete, named by its id (the SHA-256 of its bytes, so a pack can be checked
 * without keys). `publishPacks` then moves complete packs into the repository as
 * data/XX/<pack id>: a rename on a local disk, an upload elsewhere, each visible only once
 * whole. A crash at any point leaves a staged file or a complete pack, never a partial pack
 * under data/ (test/repo/pack-crash.test.ts kills a writer to show it).
 */
import { createHash, type Hash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Storage } from '../storage/storage.js';
import {
  encodePackHeader,
  MAX_PACK_BYTES,
  type PackEntry,
  type PackedKind,
  type Sealer,
  TRAILER_BYTES,
} from './pack-header.js';

/** Packs close once they reach this size: big enough for few files, small enough to rewrite on prune. */
export const PACK_TARGET_BYTES = 16 * 1024 * 1024;

/** A blob to store: its payload is compressed already when `compressed` says so. */
export interface BlobToPack {
  readonly kind: PackedKind;
  readonly id: Buffer;
  readonly payload: Buffer;
  readonly rawLength: number;
  readonly compressed: boolean;
}

/** A complete pack: what an index records of it. */
export interface WrittenPack {
  /** 64 hex characters: SHA-256 of the pack's bytes. */
  readonly id: string;
  readonly size: number;
  readonly entries: readonly PackEntry[];
}

/** A complete pack still in the staging folder, to be published. */
export interface StagedPack extends WrittenPack {
  readonly stagedPath: string;
}

/** The name of pack `id` in its repository: data/XX/<id>. */
export function packName(id: string): string {
  return `data/${id.slice(0, 2)}/${id}`;
}

/**
 * Moves complete packs into the repository, one after another (each is up to 16 MiB: a
 * writer has at most one in flight, so a backup's uploads are bounded by its workers).
 * `durable: false` leaves their durability to one `storage.flush` of the caller.
 */
export async function publishPacks(
  storage: Storage,
  packs: readonly StagedPack[],
  options: { durable?: boolean } = {},
): Promise<WrittenPack[]> {
  const written: WrittenPack[] = [];
  for (const { stagedPath, ...pack } of packs) {
    await storage.putFile(stagedPath, packName(pack.id), options);
    written.push(pack);
  }
  return written;
}

interface OpenPack {
  readonly fd: number;
  readonly tempPath: string;
  readonly hash: Hash;
  readonly entries: PackEntry[];
  size: number;
  closed: boolean;
}

export class PackWriter {
  readonly #stagingDir: string;
  readonly #sealer: Sealer;
  readonly #target: number;
  #pack: OpenPack | undefined;

  /** Packs are built in `stagingDir` (a local folder: the storage's), to be published by `publishPacks`. */
  constructor(stagingDir: string, sealer: Sealer, options: { targetBytes?: number } = {}) {
    this.#stagingDir = stagingDir;
    this.#sealer = sealer;
    this.#target = options.targetBytes ?? PACK_TARGET_BYTES;
  }

  /**
   * Seals and appends `blob`; returns the pack it completed, if it made one reach the target
   * size. If it throws (the sealer, or the disk: ENOSPC), the pack being written is dropped:
   * the blobs added since the last pack returned are stored nowhere, and the run must not
   * record them (a backup abandons its snapshot).
   */
  add(blob: BlobToPack): StagedPack | undefined {
    const pack = this.#pack ?? this.#open();
    try {
      const sealed = this.#sealer.seal(blob.payload, blob.kind);
      if (pack.size + sealed.length > MAX_PACK_BYTES - this.#target) {
        throw new RangeError(`a blob of ${sealed.length} bytes does not fit in a pack`);
      }
      this.#write(pack, sealed);
      pack.entries.push({
        kind: blob.kind,
        id: blob.id,
        offset: pack.size - sealed.length,
        sealedLength: sealed.length,
        rawLength: blob.rawLength,
        compressed: blob.compressed,
      });
    } catch (error) {
      this.abort();
      throw error;
    }
    return pack.size >= this.#target ? this.flush() : undefined;
  }

  /** Completes the pack being written, if any blob is in it. If it throws, the pack is dropped, as for `add`. */
  flush(): StagedPack | undefined {
    const pack = this.#pack;
    if (pack === undefined) return undefined;
    try {
      const header = this.#sealer.seal(encodePackHeader(pack.entries), 'pack-header');
      const trailer = Buffer.alloc(TRAILER_BYTES);
      trailer.writeUInt32LE(header.length);
      this.#write(pack, header);
      this.#write(pack, trailer);
      closeSync(pack.fd);
      pack.closed = true;
      this.#pack = undefined;
      return { id: pack.hash.digest('hex'), stagedPath: pack.tempPath, size: pack.size, entries: pack.entries };
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  /** Drops the pack being written (after an error): its blobs are in no pack. */
  abort(): void {
    const pack = this.#pack;
    this.#pack = undefined;
    if (pack === undefined) return;
    if (!pack.closed) closeSync(pack.fd);
    rmSync(pack.tempPath, { force: true });
  }

  #open(): OpenPack {
    mkdirSync(this.#stagingDir, { recursive: true });
    const tempPath = join(this.#stagingDir, `pack-${randomBytes(8).toString('hex')}.tmp`);
    const fd = openSync(tempPath, 'wx', 0o644);
    this.#pack = { fd, tempPath, hash: createHash('sha256'), entries: [], size: 0, closed: false };
    return this.#pack;
  }

  #write(pack: OpenPack, bytes: Buffer): void {
    let done = 0;
    while (done < bytes.length) done += writeSync(pack.fd, bytes, done, bytes.length - done, pack.size + done);
    pack.hash.update(bytes);
    pack.size += bytes.length;
  }
}
