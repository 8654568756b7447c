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
import { closeSync, fstatSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { startWriteback } from '../fs/sync.js';
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

/**
 * The pack a writer is filling, its file closed between batches (`PackWriter.suspend`): what
 * another thread needs to complete it (`completeSuspendedPack`) once the writer is done with it.
 */
export interface SuspendedPack {
  readonly path: string;
  /** Bytes in the file: the sealed blobs of `entries`, nothing after them. */
  readonly size: number;
  /** Every blob in the pack, in the file's order (the writer's own array: copy what you keep). */
  readonly entries: readonly PackEntry[];
}

interface OpenPack {
  /** -1 while suspended: the next add opens the file again. */
  fd: number;
  readonly tempPath: string;
  readonly hash: Hash;
  readonly entries: PackEntry[];
  size: number;
  closed: boolean;
}

/**
 * Appends the sealed header of `entries` and the trailer at `pack.size`, closes the file and
 * names the pack: the last step of every pack, whichever thread filled it.
 */
function sealPack(pack: OpenPack, sealer: Sealer, writeback = false): StagedPack {
  const header = sealer.seal(encodePackHeader(pack.entries), 'pack-header');
  const trailer = Buffer.alloc(TRAILER_BYTES);
  trailer.writeUInt32LE(header.length);
  writeAt(pack, header);
  writeAt(pack, trailer);
  if (writeback) startWriteback(pack.fd);
  closeSync(pack.fd);
  pack.closed = true;
  return { id: pack.hash.digest('hex'), stagedPath: pack.tempPath, size: pack.size, entries: pack.entries };
}

function writeAt(pack: OpenPack, bytes: Buffer): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(pack.fd, bytes, done, bytes.length - done, pack.size + done);
  pack.hash.update(bytes);
  pack.size += bytes.length;
}

/**
 * Completes a pack a writer in another thread filled and suspended, after that writer's last
 * add (a backup's main thread completes its workers' packs at the end of the run). The file
 * must hold exactly `pack.size` bytes; they are hashed again here (the writer's hash state
 * cannot cross threads). Throws if the file is not as described: the run must not index it.
 */
export function completeSuspendedPack(pack: SuspendedPack, sealer: Sealer): StagedPack {
  const fd = openSync(pack.path, 'r+');
  const open: OpenPack = {
    fd,
    tempPath: pack.path,
    hash: createHash('sha256'),
    entries: [...pack.entries],
    size: 0,
    closed: false,
  };
  try {
    const actual = fstatSync(fd).size;
    if (actual !== pack.size) {
      throw new Error(
        `the pack being filled at ${pack.path} holds ${actual} bytes, not the ${pack.size} its writer wrote`,
      );
    }
    const buffer = Buffer.allocUnsafe(Math.min(pack.size, 1024 * 1024) || 1);
    while (open.size < pack.size) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, pack.size - open.size), open.size);
      if (n === 0) throw new Error(`the pack being filled at ${pack.path} ended early`);
      open.hash.update(buffer.subarray(0, n));
      open.size += n;
    }
    return sealPack(open, sealer);
  } catch (error) {
    if (!open.closed) closeSync(fd);
    throw error;
  }
}

export class PackWriter {
  readonly #stagingDir: string;
  readonly #sealer: Sealer;
  readonly #target: number;
  readonly #writeback: boolean;
  #pack: OpenPack | undefined;

  /**
   * Packs are built in `stagingDir` (a local folder: the storage's), to be published by
   * `publishPacks`. `writeback`: start the disk writing each pack as it is complete (fs/sync.ts
   * startWriteback), where the staged file becomes the repository's (Storage.renamesIntoPlace),
   * so that the caller's one flush at the end finds it written.
   */
  constructor(stagingDir: string, sealer: Sealer, options: { targetBytes?: number; writeback?: boolean } = {}) {
    this.#stagingDir = stagingDir;
    this.#sealer = sealer;
    this.#target = options.targetBytes ?? PACK_TARGET_BYTES;
    this.#writeback = options.writeback === true;
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
      this.#resume(pack);
      const sealed = this.#sealer.seal(blob.payload, blob.kind);
      if (pack.size + sealed.length > MAX_PACK_BYTES - this.#target) {
        throw new RangeError(`a blob of ${sealed.length} bytes does not fit in a pack`);
      }
      writeAt(pack, sealed);
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
      this.#resume(pack);
      const staged = sealPack(pack, this.#sealer, this.#writeback);
      this.#pack = undefined;
      return staged;
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  /**
   * Closes the file of the pack being filled, which stays this writer's: the next add opens it
   * again. Returns what completing it elsewhere takes, or undefined if no blob is in it.
   */
  suspend(): SuspendedPack | undefined {
    const pack = this.#pack;
    if (pack === undefined) return undefined;
    if (pack.fd >= 0) closeSync(pack.fd);
    pack.fd = -1;
    return { path: pack.tempPath, size: pack.size, entries: pack.entries };
  }

  /** Drops the pack being written (after an error): its blobs are in no pack. */
  abort(): void {
    const pack = this.#pack;
    this.#pack = undefined;
    if (pack === undefined) return;
    if (!pack.closed && pack.fd >= 0) closeSync(pack.fd);
    rmSync(pack.tempPath, { force: true });
  }

  /** Opens a suspended pack's file again, checking nothing else wrote to it meanwhile. */
  #resume(pack: OpenPack): void {
    if (pack.fd >= 0) return;
    pack.fd = openSync(pack.tempPath, 'r+');
    const actual = fstatSync(pack.fd).size;
    if (actual !== pack.size) {
      throw new Error(`the pack being filled at ${pack.tempPath} holds ${actual} bytes, not the ${pack.size} written`);
    }
  }

  #open(): OpenPack {
    mkdirSync(this.#stagingDir, { recursive: true });
    const tempPath = join(this.#stagingDir, `pack-${randomBytes(8).toString('hex')}.tmp`);
    const fd = openSync(tempPath, 'wx', 0o644);
    this.#pack = { fd, tempPath, hash: createHash('sha256'), entries: [], size: 0, closed: false };
    return this.#pack;
  }
}
