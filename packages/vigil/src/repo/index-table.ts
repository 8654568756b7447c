/**
 * The in-memory index of a repository: blob id -> pack, offset, lengths, kind. It must stay
 * small for millions of blobs (a Map of hex strings to objects costs several hundred bytes
 * each), so entries live in packed columns: the 32-byte ids in one Buffer, four u32 fields in
 * one Uint32Array, kind and flags in a Uint8Array, and an open-addressing hash table of entry
 * numbers keyed by the id's first four bytes (ids are keyed BLAKE3: uniform, and nobody
 * without the key can make them collide). About 60 bytes a blob (docs/benchmarks.md).
 *
 * The ids and the table live in SharedArrayBuffers, so a backup's workers can ask whether the
 * repository has a blob without loading the index again each (`shareIds`, `KnownBlobIds`).
 */
import { BLOB_ID_BYTES, kindCode, kindOfCode, type PackEntry, type PackedKind } from './pack-header.js';

/** Where a blob is: an entry of a pack header plus the pack's id. */
export interface IndexedBlob extends PackEntry {
  /** 64 hex characters. */
  readonly packId: string;
}

const FIELDS = 4; // pack number, offset, sealed length, raw length
const COMPRESSED = 0x80; // in the kind byte, above the kind codes

/**
 * A read-only view of an index's blob ids that crosses to worker threads without a copy:
 * `ids` holds `count` ids of 32 bytes, `slots` the open-addressing table over them (entry
 * number + 1 per slot, 0 when empty). Made by BlobIndex.shareIds(); never written after.
 */
export interface SharedBlobIds {
  readonly ids: SharedArrayBuffer;
  readonly slots: SharedArrayBuffer;
  readonly count: number;
}

/** All of an index, for a worker thread that reads blobs (BlobIndex.share(), BlobIndex.fromShared()). */
export interface SharedBlobIndex extends SharedBlobIds {
  readonly fields: SharedArrayBuffer;
  readonly kinds: SharedArrayBuffer;
  readonly packIds: readonly string[];
}

function sharedBytes(length: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(length));
}

function sharedU32(length: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(length * 4));
}

function sharedU8(length: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(length));
}

/**
 * The slot of `slots` holding the id at `at` of `bytes`, or the empty slot where it would go
 * (linear probing from the id's first four bytes).
 */
function slotOf(slots: Uint32Array, ids: Uint8Array, bytes: Uint8Array, at: number): number {
  const mask = slots.length - 1;
  let slot = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) & mask;
  for (;;) {
    const n = slots[slot]!;
    if (n === 0 || idEquals(ids, n - 1, bytes, at)) return slot;
    slot = (slot + 1) & mask;
  }
}

function idEquals(ids: Uint8Array, n: number, bytes: Uint8Array, at: number): boolean {
  const start = n * BLOB_ID_BYTES;
  for (let i = 0; i < BLOB_ID_BYTES; i++) if (ids[start + i] !== bytes[at + i]) return false;
  return true;
}

/** Refuses a view made by anything but shareIds(): it would probe forever or out of bounds. */
function checkShared(shared: SharedBlobIds): void {
  const capacity = shared.slots.byteLength / 4;
  if (capacity === 0 || (capacity & (capacity - 1)) !== 0 || 2 * shared.count > capacity) {
    throw new RangeError(`a shared blob id table has ${capacity} slots for ${shared.count} ids`);
  }
  if (shared.ids.byteLength < shared.count * BLOB_ID_BYTES) {
    throw new RangeError(`a shared blob id table holds ${shared.ids.byteLength} bytes for ${shared.count} ids`);
  }
}

/** Whether a blob id is among those a SharedBlobIds holds: a worker's side of shareIds(). */
export class KnownBlobIds {
  readonly #ids: Uint8Array;
  readonly #slots: Uint32Array;

  constructor(shared: SharedBlobIds) {
    this.#ids = new Uint8Array(shared.ids);
    this.#slots = new Uint32Array(shared.slots);
    checkShared(shared);
  }

  has(id: Uint8Array): boolean {
    return id.length === BLOB_ID_BYTES && this.#slots[slotOf(this.#slots, this.#ids, id, 0)] !== 0;
  }
}

export class BlobIndex {
  #count = 0;
  #ids = sharedBytes(0);
  #fields = sharedU32(0);
  #kinds = sharedU8(0);
  /** Entry number + 1 per slot, 0 when empty; the capacity is a power of two, at most half full. */
  #slots = sharedU32(16);
  /** Whether share() or shareIds() handed out the current columns: the next add works on copies. */
  #shared = false;
  readonly #packIds: string[] = [];
  readonly #packNumbers = new Map<string, number>();

  /**
   * The index a worker thread was sent (share()), reading the same memory. Adding to it first
   * copies the columns: the sender's index never sees it.
   */
  static fromShared(shared: SharedBlobIndex): BlobIndex {
    checkShared(shared);
    const count = shared.count;
    if (shared.fields.byteLength < count * FIELDS * 4 || shared.kinds.byteLength < count) {
      throw new RangeError(`a shared blob index has too few fields for ${count} blobs`);
    }
    const index = new BlobIndex();
    index.#count = count;
    index.#ids = Buffer.from(shared.ids);
    index.#slots = new Uint32Array(shared.slots);
    index.#fields = new Uint32Array(shared.fields);
    index.#kinds = new Uint8Array(shared.kinds);
    for (const id of shared.packIds) index.#packNumber(id);
    index.#shared = true;
    return index;
  }

  /** How many blobs it holds. */
  get size(): number {
    return this.#count;
  }

  /** The ids of the packs its blobs are in (each pack has at least one). */
  packIds(): readonly string[] {
    return this.#packIds;
  }

  /**
   * Its blob ids and table as they are now, for worker threads, without a copy. What was
   * handed out never changes: a later add first copies the two into new buffers.
   */
  shareIds(): SharedBlobIds {
    this.#shared = true;
    return {
      ids: this.#ids.buffer as SharedArrayBuffer,
      slots: this.#slots.buffer as SharedArrayBuffer,
      count: this.#count,
    };
  }

  /** All of it as it is now, for a worker thread that reads blobs (fromShared()); the same promise as shareIds(). */
  share(): SharedBlobIndex {
    return {
      ...this.shareIds(),
      fields: this.#fields.buffer as SharedArrayBuffer,
      kinds: this.#kinds.buffer as SharedArrayBuffer,
      packIds: [...this.#packIds],
    };
  }

  /** How many packs its blobs are in. */
  get packCount(): number {
    return this.#packIds.length;
  }

  /** Adds a blob in pack `packId`; false (and nothing changes) if the id is known already: the first place found is kept. */
  add(packId: string, entry: PackEntry): boolean {
    const slot = this.#freeSlot(entry);
    if (slot === undefined) return false;
    this.#insert(slot, this.#packNumber(packId), entry);
    return true;
  }

  /** Adds every blob of a pack; returns how many were new. */
  addPack(packId: string, entries: Iterable<PackEntry>): number {
    // The pack is numbered at its first new blob: a pack whose blobs are all known elsewhere is not listed.
    let pack: number | undefined;
    let added = 0;
    for (const entry of entries) {
      const slot = this.#freeSlot(entry);
      if (slot === undefined) continue;
      pack ??= this.#packNumber(packId);
      this.#insert(slot, pack, entry);
      added++;
    }
    return added;
  }

  /** The number of pack `packId`, given to it when first seen. */
  #packNumber(packId: string): number {
    let pack = this.#packNumbers.get(packId);
    if (pack === undefined) {
      pack = this.#packIds.length;
      this.#packIds.push(packId);
      this.#packNumbers.set(packId, pack);
    }
    return pack;
  }

  /** The empty slot where `entry` goes, or undefined when its id is known already. */
  #freeSlot(entry: PackEntry): number | undefined {
    if (entry.id.length !== BLOB_ID_BYTES) throw new TypeError(`a blob id is ${BLOB_ID_BYTES} bytes`);
    const slot = slotOf(this.#slots, this.#ids, entry.id, 0);
    return this.#slots[slot] === 0 ? slot : undefined;
  }

  #insert(slot: number, pack: number, entry: PackEntry): void {
    if (this.#shared) this.#unshare();
    this.#reserve(this.#count + 1);
    const n = this.#count++;
    this.#ids.set(entry.id, n * BLOB_ID_BYTES);
    // Four stores, not fields.set([...]): this runs once per blob of every index loaded.
    const f = n * FIELDS;
    const fields = this.#fields;
    fields[f] = pack;
    fields[f + 1] = entry.offset;
    fields[f + 2] = entry.sealedLength;
    fields[f + 3] = entry.rawLength;
    this.#kinds[n] = kindCode(entry.kind) | (entry.compressed ? COMPRESSED : 0);
    this.#slots[slot] = n + 1;
    if (2 * this.#count > this.#slots.length) this.#rehash(this.#slots.length * 2);
  }

  has(id: Uint8Array): boolean {
    return id.length === BLOB_ID_BYTES && this.#slots[slotOf(this.#slots, this.#ids, id, 0)] !== 0;
  }

  /** Where the blob `id` is, or undefined. */
  find(id: Uint8Array): IndexedBlob | undefined {
    if (id.length !== BLOB_ID_BYTES) return undefined;
    const n = this.#slots[slotOf(this.#slots, this.#ids, id, 0)]!;
    if (n === 0) return undefined;
    const f = (n - 1) * FIELDS;
    const kind = this.#kinds[n - 1]!;
    return {
      packId: this.#packIds[this.#fields[f]!]!,
      kind: kindOfCode(kind & ~COMPRESSED) as PackedKind,
      id: Buffer.from(id),
      offset: this.#fields[f + 1]!,
      sealedLength: this.#fields[f + 2]!,
      rawLength: this.#fields[f + 3]!,
      compressed: (kind & COMPRESSED) !== 0,
    };
  }

  /** Every pack and its blobs, as index files store them. */
  packs(): Array<{ id: string; entries: PackEntry[] }> {
    const byPack = this.#packIds.map((id) => ({ id, entries: [] as PackEntry[] }));
    for (let n = 0; n < this.#count; n++) {
      const e = this.#entry(n);
      byPack[this.#fields[n * FIELDS]!]!.entries.push(e);
    }
    // In the order of their offsets, as index files must list them, even when a pack's entries came from several files.
    for (const pack of byPack) pack.entries.sort((a, b) => a.offset - b.offset);
    return byPack.filter((p) => p.entries.length > 0);
  }

  /** The bytes its columns and table hold (not the pack ids' strings), for the benchmarks. */
  get memoryBytes(): number {
    return this.#ids.byteLength + this.#fields.byteLength + this.#kinds.byteLength + this.#slots.byteLength;
  }

  #entry(n: number): PackEntry {
    const f = n * FIELDS;
    const kind = this.#kinds[n]!;
    return {
      kind: kindOfCode(kind & ~COMPRESSED) as PackedKind,
      id: Buffer.from(this.#ids.subarray(n * BLOB_ID_BYTES, (n + 1) * BLOB_ID_BYTES)),
      offset: this.#fields[f + 1]!,
      sealedLength: this.#fields[f + 2]!,
      rawLength: this.#fields[f + 3]!,
      compressed: (kind & COMPRESSED) !== 0,
    };
  }

  /** Room for `count` entries: the columns grow by half, which keeps the slack at a third at most. */
  #reserve(count: number): void {
    if (count <= this.#kinds.length) return;
    const capacity = Math.max(1024, Math.ceil(this.#kinds.length * 1.5));
    const ids = sharedBytes(capacity * BLOB_ID_BYTES);
    this.#ids.copy(ids);
    this.#ids = ids;
    const fields = sharedU32(capacity * FIELDS);
    fields.set(this.#fields);
    this.#fields = fields;
    const kinds = sharedU8(capacity);
    kinds.set(this.#kinds);
    this.#kinds = kinds;
  }

  #rehash(capacity: number): void {
    const slots = sharedU32(capacity);
    for (let n = 0; n < this.#count; n++) slots[slotOf(slots, this.#ids, this.#ids, n * BLOB_ID_BYTES)] = n + 1;
    this.#slots = slots;
  }

  /** New copies of the columns and the table, leaving the ones handed out as they were. */
  #unshare(): void {
    const ids = sharedBytes(this.#ids.length);
    this.#ids.copy(ids);
    this.#ids = ids;
    const slots = sharedU32(this.#slots.length);
    slots.set(this.#slots);
    this.#slots = slots;
    const fields = sharedU32(this.#fields.length);
    fields.set(this.#fields);
    this.#fields = fields;
    const kinds = sharedU8(this.#kinds.length);
    kinds.set(this.#kinds);
    this.#kinds = kinds;
    this.#shared = false;
  }
}
