/**
 * What a pack file holds and the byte layout of its header (docs/format-v2-storage.md,
 * "Pack files", is the contract). A pack is
 *
 *   sealed blob 0 | sealed blob 1 | ... | sealed header | header length (u32 LE)
 *
 * and the header, once opened with the sealer as kind 'pack-header', is
 *
 *   "VGPH" | version (u8) = 1 | 3 zero bytes | entry count (u32 LE) | entries, 48 bytes each:
 *   kind (u8: 1 data, 2 tree) | flags (u8: bit 0 compressed) | 2 zero bytes |
 *   offset (u32 LE) | sealed length (u32 LE) | raw length (u32 LE) | blob id (32 bytes)
 *
 * Everything here is checked when read: a header that passes `parsePackHeader` names only
 * byte ranges inside its pack, before its header, in order and not overlapping.
 */
import { VigilError } from '../errors.js';

/** What a blob is; the sealer binds it to the blob (associated data). Fixed by issue 18. */
export type BlobKind = 'data' | 'tree' | 'index' | 'snapshot' | 'pack-header';

/** Seals (compresses nothing: encrypts and authenticates) and opens blobs. Fixed by issue 18. */
export interface Sealer {
  seal(plain: Buffer, kind: BlobKind): Buffer;
  /** Throws a named error when `sealed` was not made by `seal` with this key and `kind`. */
  open(sealed: Buffer, kind: BlobKind): Buffer;
}

/** The kinds of blob a pack holds, with their code in a header entry. */
export type PackedKind = 'data' | 'tree';
const KIND_CODES: Record<PackedKind, number> = { data: 1, tree: 2 };
const KINDS_BY_CODE: Array<PackedKind | undefined> = [undefined, 'data', 'tree'];

export const BLOB_ID_BYTES = 32;
export const PACK_ID_BYTES = 32;
const MAGIC = Buffer.from('VGPH', 'latin1');
const VERSION = 1;
export const HEADER_PREFIX_BYTES = 12;
export const ENTRY_BYTES = 48;
export const TRAILER_BYTES = 4;
const FLAG_COMPRESSED = 1;
/** Offsets and lengths are u32: no pack may reach 4 GiB (the writer closes them near 16 MiB). */
export const MAX_PACK_BYTES = 2 ** 32 - 1;
/** The largest blob before compression: bounds what reading one may allocate. */
export const MAX_BLOB_RAW_BYTES = 256 * 1024 * 1024;

/** Where one blob lies in its pack, and what it is. */
export interface PackEntry {
  readonly kind: PackedKind;
  /** Keyed BLAKE3 of the blob's plaintext (32 bytes). */
  readonly id: Buffer;
  readonly offset: number;
  readonly sealedLength: number;
  readonly rawLength: number;
  readonly compressed: boolean;
}

/** A pack, a part of one, or its header is not what the format says: nothing in it is trusted. */
export class PackDamagedError extends VigilError {
  readonly path: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(
      'ERR_VIGIL_PACK_DAMAGED',
      `the pack ${path} is damaged (${reason}): the blobs in it cannot be read; ` +
        'the snapshots that need them are incomplete, other snapshots are not affected',
      options,
    );
    this.path = path;
  }
}

export function kindCode(kind: PackedKind): number {
  return KIND_CODES[kind];
}

export function kindOfCode(code: number): PackedKind | undefined {
  return KINDS_BY_CODE[code];
}

/** Writes one entry's 48 bytes at `at` of `out`: the layout index files share (index-file.ts). */
export function writeEntry(out: Buffer, at: number, e: PackEntry): void {
  out[at] = KIND_CODES[e.kind];
  out[at + 1] = e.compressed ? FLAG_COMPRESSED : 0;
  out.writeUInt16LE(0, at + 2);
  out.writeUInt32LE(e.offset, at + 4);
  out.writeUInt32LE(e.sealedLength, at + 8);
  out.writeUInt32LE(e.rawLength, at + 12);
  out.set(e.id, at + 16); // a Uint8Array too: entries that crossed from a worker unrevived
}

/** Reads one entry at `at`, or says what is wrong with it. Checks what it can alone: kind, flags, lengths. */
export function readEntry(bytes: Buffer, at: number): PackEntry | string {
  const kind = kindOfCode(bytes[at]!);
  if (kind === undefined) return `unknown blob kind ${bytes[at]}`;
  const flags = bytes[at + 1]!;
  if ((flags & ~FLAG_COMPRESSED) !== 0 || bytes.readUInt16LE(at + 2) !== 0) return 'unknown flags';
  const sealedLength = bytes.readUInt32LE(at + 8);
  const rawLength = bytes.readUInt32LE(at + 12);
  if (sealedLength === 0) return 'an entry of length 0';
  if (rawLength > MAX_BLOB_RAW_BYTES) return `a blob of ${rawLength} bytes, above the limit of ${MAX_BLOB_RAW_BYTES}`;
  return {
    kind,
    id: Buffer.from(bytes.subarray(at + 16, at + 16 + BLOB_ID_BYTES)),
    offset: bytes.readUInt32LE(at + 4),
    sealedLength,
    rawLength,
    compressed: (flags & FLAG_COMPRESSED) !== 0,
  };
}

/** A header's plaintext for `entries` (in the order of their offsets). */
export function encodePackHeader(entries: readonly PackEntry[]): Buffer {
  const out = Buffer.alloc(HEADER_PREFIX_BYTES + entries.length * ENTRY_BYTES);
  MAGIC.copy(out, 0);
  out[4] = VERSION;
  out.writeUInt32LE(entries.length, 8);
  for (const [i, e] of entries.entries()) writeEntry(out, HEADER_PREFIX_BYTES + i * ENTRY_BYTES, e);
  return out;
}

/**
 * The entries of a header's plaintext, checked against the pack: each lies before
 * `headerStart` (where the sealed header begins), after the one before it.
 * Throws PackDamagedError naming `path` otherwise.
 */
export function parsePackHeader(path: string, plain: Buffer, headerStart: number): PackEntry[] {
  const damaged = (reason: string) => new PackDamagedError(path, reason);
  if (plain.length < HEADER_PREFIX_BYTES || !plain.subarray(0, 4).equals(MAGIC)) throw damaged('no pack header');
  if (plain[4] !== VERSION) throw damaged(`header version ${plain[4]}, this vigil reads ${VERSION}`);
  const count = plain.readUInt32LE(8);
  if (HEADER_PREFIX_BYTES + count * ENTRY_BYTES !== plain.length) {
    throw damaged(`the header says ${count} entries but holds ${plain.length} bytes`);
  }
  const entries: PackEntry[] = [];
  let end = 0;
  for (let i = 0; i < count; i++) {
    const entry = readEntry(plain, HEADER_PREFIX_BYTES + i * ENTRY_BYTES);
    if (typeof entry === 'string') throw damaged(`entry ${i}: ${entry}`);
    if (entry.offset < end) throw damaged(`entry ${i} overlaps the one before it`);
    end = entry.offset + entry.sealedLength;
    if (end > headerStart) throw damaged(`entry ${i} runs past the blobs, into the header`);
    entries.push(entry);
  }
  return entries;
}
