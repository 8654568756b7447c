/**
 * A directory's listing as the walk reads it: every entry (but '.' and '..'), typed, sorted
 * so that full paths come out in byte order, with its full path, packed in one Buffer. The
 * native addon makes it in one call (native/list_dir.c, which this layout mirrors); the
 * JavaScript fallback packs what readdir and stat said the same way (listing-js.ts). The
 * walk cuts its entries' paths out of it (a view each, no copy) and allocates nothing else
 * per entry: at 200k files, copying paths together was a third of the walk's time.
 *
 * A record: kind (| VIA_LINK), errno (for kind `error`), the name's length (u16, little
 * endian), the bytes of the path: the listing's prefix (the directory's path and '/', the
 * same in every record), then the name.
 */
import { constants as osConstants } from 'node:os';
import type { SkipReason } from './walk-directory.js';

export const EntryKind = {
  file: 0,
  dir: 1,
  symlink: 2,
  fifo: 3,
  socket: 4,
  device: 5,
  /** Not a regular file (nor any of the above). */
  other: 6,
  /** Under --follow: a symlink that ends in a loop. */
  loop: 7,
  /** Under --follow: a symlink to nothing. */
  dangling: 8,
  /** Could not be typed: the record's errno says why. */
  error: 9,
} as const;
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];

/** Or'ed into the kind byte: reached through a symlink (under --follow). */
export const VIA_LINK = 0x80;
export const RECORD_HEADER = 4;

/** Why an entry of this kind is skipped (the walk's words, see walk.ts). */
export const SKIP_REASON: readonly (SkipReason | undefined)[] = [
  undefined,
  undefined,
  'symlink',
  'fifo',
  'socket',
  'device',
  'not a regular file',
  'symlink loop',
  'dangling symlink',
];

export function kindAt(listing: Listing, at: number): EntryKind {
  return ((listing.bytes[at] as number) & ~VIA_LINK) as EntryKind;
}

export function viaLinkAt(listing: Listing, at: number): boolean {
  return ((listing.bytes[at] as number) & VIA_LINK) !== 0;
}

export function errnoAt(listing: Listing, at: number): number {
  return listing.bytes[at + 1] as number;
}

/** A listing and the length of the prefix its paths start with. */
export interface Listing {
  readonly bytes: Buffer;
  readonly prefixLength: number;
}

function nameLength(bytes: Buffer, at: number): number {
  return (bytes[at + 2] as number) | ((bytes[at + 3] as number) << 8);
}

export function nameStart(listing: Listing, at: number): number {
  return at + RECORD_HEADER + listing.prefixLength;
}

/** Where the record at `at` ends (and the next begins). */
export function recordEnd(listing: Listing, at: number): number {
  return nameStart(listing, at) + nameLength(listing.bytes, at);
}

/** A view of the entry's name (no copy). */
export function nameAt(listing: Listing, at: number): Buffer {
  return listing.bytes.subarray(nameStart(listing, at), recordEnd(listing, at));
}

/** A view of the entry's path: the prefix and the name (no copy). */
export function pathAt(listing: Listing, at: number): Buffer {
  return listing.bytes.subarray(at + RECORD_HEADER, recordEnd(listing, at));
}

/** Where the first plain (not via a link) regular file named `name` is, or -1. */
export function findFile(listing: Listing, name: Buffer): number {
  const bytes = listing.bytes;
  for (let at = 0; at < bytes.length; at = recordEnd(listing, at)) {
    if (bytes[at] !== EntryKind.file || nameLength(bytes, at) !== name.length) continue;
    const start = nameStart(listing, at);
    if (bytes.compare(name, 0, name.length, start, start + name.length) === 0) return at;
  }
  return -1;
}

/** One entry to pack, as the JavaScript lister found it. */
export interface ListedEntry {
  readonly name: Buffer;
  readonly kind: EntryKind;
  readonly viaLink: boolean;
  readonly errorCode?: string;
}

/** Packs entries in the order given (the caller sorts them), their paths starting with `prefix`. */
export function packListing(entries: readonly ListedEntry[], prefix: Buffer): Buffer {
  let size = 0;
  for (const entry of entries) size += RECORD_HEADER + prefix.length + entry.name.length;
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  for (const entry of entries) {
    bytes[at] = entry.kind | (entry.viaLink ? VIA_LINK : 0);
    bytes[at + 1] = entry.errorCode ? errnoOf(entry.errorCode) : 0;
    bytes.writeUInt16LE(entry.name.length, at + 2);
    prefix.copy(bytes, at + RECORD_HEADER);
    entry.name.copy(bytes, at + RECORD_HEADER + prefix.length);
    at += RECORD_HEADER + prefix.length + entry.name.length;
  }
  return bytes;
}

const EIO = 5;

function errnoOf(code: string): number {
  return (osConstants.errno as Record<string, number | undefined>)[code] ?? EIO;
}
