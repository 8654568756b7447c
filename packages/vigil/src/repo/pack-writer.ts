/**
 * Writes blobs into pack files: each blob is sealed and appended to REPO/tmp/pack-*.tmp;
 * when the pack reaches its target size (about 16 MiB) or on `flush`, the sealed header and
 * its length are appended, the file is fsynced and renamed to REPO/data/XX/<pack id> (the
 * SHA-256 of its bytes, so a pack can be checked without keys), and the folder is fsynced.
 * A crash at any point leaves a file under tmp/ or a complete pack, never a partial pack
 * under data/ (test/repo/pack-crash.test.ts kills a writer to show it).
 */
import { createHash, type Hash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fsyncDirectory } from '../backup/durable.js';
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

/** A pack made durable under data/: what an index records of it. */
export interface WrittenPack {
  /** 64 hex characters: SHA-256 of the pack's bytes. */
  readonly id: string;
  readonly path: string;
  readonly size: number;
  readonly entries: readonly PackEntry[];
}

/** The folder of a pack and its path, by its id. */
export function packPath(repo: string, id: string): string {
  return join(repo, 'data', id.slice(0, 2), id);
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
  readonly #repo: string;
  readonly #sealer: Sealer;
  readonly #target: number;
  #pack: OpenPack | undefined;

  readonly #durable: boolean;

  /**
   * `durable: false` skips the fsync of each pack and of its folder: the caller flushes the
   * file system once for all its packs (a backup: syncfs before its index file is written),
   * which costs far less than an fsync per pack. Until then a pack's name may outlive a power
   * loss with incomplete contents; no index lists it, so nothing reads it, and prune removes it.
   */
  constructor(repo: string, sealer: Sealer, options: { targetBytes?: number; durable?: boolean } = {}) {
    this.#repo = repo;
    this.#sealer = sealer;
    this.#target = options.targetBytes ?? PACK_TARGET_BYTES;
    this.#durable = options.durable ?? true;
  }

  /**
   * Seals and appends `blob`; returns the pack it completed, if it made one reach the target
   * size. If it throws (the sealer, or the disk: ENOSPC), the pack being written is dropped:
   * the blobs added since the last pack returned are stored nowhere, and the run must not
   * record them (a backup abandons its snapshot).
   */
  add(blob: BlobToPack): WrittenPack | undefined {
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
  flush(): WrittenPack | undefined {
    const pack = this.#pack;
    if (pack === undefined) return undefined;
    try {
      const header = this.#sealer.seal(encodePackHeader(pack.entries), 'pack-header');
      const trailer = Buffer.alloc(TRAILER_BYTES);
      trailer.writeUInt32LE(header.length);
      this.#write(pack, header);
      this.#write(pack, trailer);
      if (this.#durable) fsyncSync(pack.fd);
      closeSync(pack.fd);
      pack.closed = true;
      const id = pack.hash.digest('hex');
      const path = packPath(this.#repo, id);
      this.#ensureFolder(join(this.#repo, 'data', id.slice(0, 2)));
      renameSync(pack.tempPath, path);
      this.#pack = undefined;
      if (this.#durable) fsyncDirectory(join(this.#repo, 'data', id.slice(0, 2)));
      return { id, path, size: pack.size, entries: pack.entries };
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
    const tmp = join(this.#repo, 'tmp');
    mkdirSync(tmp, { recursive: true });
    const tempPath = join(tmp, `pack-${randomBytes(8).toString('hex')}.tmp`);
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

  /** Makes data/XX once, durably: the new folder's entry in data/ is fsynced too. */
  #ensureFolder(folder: string): void {
    const made = mkdirSync(folder, { recursive: true });
    if (made === undefined || !this.#durable) return;
    fsyncDirectory(dirname(made));
    if (made !== folder) fsyncDirectory(dirname(folder));
  }
}
