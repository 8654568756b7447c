/**
 * Index files: REPO/index/<SHA-256 of the file>, each one sealed blob of kind 'index' whose
 * plaintext lists packs and the entries of their headers (docs/format-v2-storage.md, "Index
 * files"):
 *
 *   "VGIX" | version (u8) = 1 | 3 zero bytes | pack count (u32 LE) | packs, each:
 *   pack id (32 bytes) | entry count (u32 LE) | entries (48 bytes each, as in a pack header)
 *
 * Written whole through the storage (visible only once complete) and checked like them when read:
 * counts must match the bytes there are, entries must be well-formed, in order, not
 * overlapping, and each pack may appear once.
 */
import { createHash } from 'node:crypto';
import { StorageError, VigilError } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import {
  ENTRY_BYTES,
  MAX_PACK_BYTES,
  PACK_ID_BYTES,
  type PackEntry,
  readEntry,
  type Sealer,
  writeEntry,
} from './pack-header.js';

/** The packs an index file describes. */
export interface IndexedPack {
  /** 64 hex characters. */
  readonly id: string;
  readonly entries: readonly PackEntry[];
}

const MAGIC = Buffer.from('VGIX', 'latin1');
const VERSION = 1;
const PREFIX_BYTES = 12;
const PACK_PREFIX_BYTES = PACK_ID_BYTES + 4;
/** An index file larger than this is refused before it is read (about 10 million blobs). */
export const MAX_INDEX_FILE_BYTES = 512 * 1024 * 1024;
const HEX_ID = /^[0-9a-f]{64}$/;

/** An index file is not what the format says: its packs are found again by rebuilding the index from pack headers. */
export class IndexDamagedError extends VigilError {
  readonly path: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(
      'ERR_VIGIL_INDEX_DAMAGED',
      `the index file ${path} is damaged (${reason}): the blobs it lists can be found again by rebuilding the ` +
        'index from the pack headers; no pack is affected',
      options,
    );
    this.path = path;
  }
}

export function encodeIndex(packs: readonly IndexedPack[] | IndexFileBuilder): Buffer {
  const parts = packs instanceof IndexFileBuilder ? packs.parts : packs.map(encodePackPart);
  const prefix = Buffer.alloc(PREFIX_BYTES);
  MAGIC.copy(prefix, 0);
  prefix[4] = VERSION;
  prefix.writeUInt32LE(parts.length, 8);
  return Buffer.concat([prefix, ...parts]);
}

/** One pack's part of an index file: its id, its entry count, its entries. */
function encodePackPart(pack: IndexedPack): Buffer {
  if (!HEX_ID.test(pack.id)) throw new TypeError(`a pack id is 64 hex characters, not ${pack.id}`);
  const out = Buffer.alloc(PACK_PREFIX_BYTES + pack.entries.length * ENTRY_BYTES);
  out.write(pack.id, 0, 'hex');
  out.writeUInt32LE(pack.entries.length, PACK_ID_BYTES);
  let at = PACK_PREFIX_BYTES;
  for (const entry of pack.entries) {
    writeEntry(out, at, entry);
    at += ENTRY_BYTES;
  }
  return out;
}

/**
 * The packs of a run as its index file will list them, each encoded as it is added (48 bytes
 * a blob): a backup of /usr/share's 49k files held its packs' entries as objects, each id a
 * Buffer of its own, until the end of the run: about 25 MB of the main thread's heap at its peak.
 */
export class IndexFileBuilder {
  readonly #parts: Buffer[] = [];
  readonly #ids: string[] = [];

  add(pack: IndexedPack): void {
    this.#parts.push(encodePackPart(pack));
    this.#ids.push(pack.id);
  }

  /** The packs added, by id. */
  get packIds(): readonly string[] {
    return this.#ids;
  }

  /** Each pack's part of the file, in the order added. */
  get parts(): readonly Buffer[] {
    return this.#parts;
  }
}

/** The packs of an index file's plaintext, every field checked; IndexDamagedError naming `path` otherwise. */
export function parseIndex(path: string, plain: Buffer): IndexedPack[] {
  const damaged = (reason: string) => new IndexDamagedError(path, reason);
  if (plain.length < PREFIX_BYTES || !plain.subarray(0, 4).equals(MAGIC)) throw damaged('not an index');
  if (plain[4] !== VERSION) throw damaged(`index version ${plain[4]}, this vigil reads ${VERSION}`);
  const packCount = plain.readUInt32LE(8);
  if (packCount * PACK_PREFIX_BYTES > plain.length - PREFIX_BYTES)
    throw damaged(`${packCount} packs in ${plain.length} bytes`);
  const packs: IndexedPack[] = [];
  const seen = new Set<string>();
  let at = PREFIX_BYTES;
  for (let p = 0; p < packCount; p++) {
    if (at + PACK_PREFIX_BYTES > plain.length) throw damaged(`pack ${p} runs past the end`);
    const id = plain.toString('hex', at, at + PACK_ID_BYTES);
    if (seen.has(id)) throw damaged(`pack ${id} is listed twice`);
    seen.add(id);
    const count = plain.readUInt32LE(at + PACK_ID_BYTES);
    at += PACK_PREFIX_BYTES;
    if (count * ENTRY_BYTES > plain.length - at)
      throw damaged(`pack ${id} has ${count} entries, more than the file holds`);
    const entries: PackEntry[] = [];
    let end = 0;
    for (let i = 0; i < count; i++, at += ENTRY_BYTES) {
      const entry = readEntry(plain, at);
      if (typeof entry === 'string') throw damaged(`pack ${id}, entry ${i}: ${entry}`);
      if (entry.offset < end) throw damaged(`pack ${id}, entry ${i} overlaps the one before it`);
      end = entry.offset + entry.sealedLength;
      if (end > MAX_PACK_BYTES) throw damaged(`pack ${id}, entry ${i} lies past the largest pack`);
      entries.push(entry);
    }
    packs.push({ id, entries });
  }
  if (at !== plain.length) throw damaged(`${plain.length - at} bytes after the last pack`);
  return packs;
}

/** The name of index file `id` in its repository. */
export function indexName(id: string): string {
  return `index/${id}`;
}

/** Writes one index file for `packs`, durably; returns its id. */
export async function writeIndexFile(
  storage: Storage,
  sealer: Sealer,
  packs: readonly IndexedPack[] | IndexFileBuilder,
): Promise<string> {
  const bytes = sealer.seal(encodeIndex(packs), 'index');
  const id = createHash('sha256').update(bytes).digest('hex');
  await storage.write(indexName(id), bytes);
  return id;
}

/** Reads and checks index file `id`: its bytes must hash to its name and open with `sealer`. */
export async function readIndexFile(storage: Storage, id: string, sealer: Sealer): Promise<IndexedPack[]> {
  const path = `${storage.location}/${indexName(id)}`;
  if (!HEX_ID.test(id)) throw new IndexDamagedError(path, 'its name is not a 64-hex-digit id');
  const size = await storage.size(indexName(id));
  if (size === undefined) throw new StorageError(`${path} is gone`, { missing: true });
  if (size > MAX_INDEX_FILE_BYTES) throw new IndexDamagedError(path, `${size} bytes, above the limit`);
  const bytes = await storage.read(indexName(id), MAX_INDEX_FILE_BYTES);
  if (createHash('sha256').update(bytes).digest('hex') !== id)
    throw new IndexDamagedError(path, 'its bytes do not hash to its name');
  let plain: Buffer;
  try {
    plain = sealer.open(bytes, 'index');
  } catch (error) {
    throw new IndexDamagedError(path, `it does not open (${(error as Error).message})`, { cause: error });
  }
  return parseIndex(path, plain);
}
