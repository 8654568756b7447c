/**
 * A directory's listing as the walk reads it: every entry (but '.' and '..'), typed, sorted
 * so that full paths come out in byte order, packed in one Buffer. The native addon makes it
 * in one call (native/list_dir.c, which this layout mirrors); the JavaScript fallback packs
 * what readdir and stat said the same way (listing-js.ts). One Buffer per directory, read in
 * place, costs no object per entry: the walk allocates only the entries it yields.
 *
 * A record: kind (| VIA_LINK), errno (for kind `error`), the name's length (u16, little
 * endian), the name's bytes.
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

export function kindAt(listing: Buffer, at: number): EntryKind {
  return ((listing[at] as number) & ~VIA_LINK) as EntryKind;
}

export function viaLinkAt(listing: Buffer, at: number): boolean {
  return ((listing[at] as number) & VIA_LINK) !== 0;
}

export function errnoAt(listing: Buffer, at: number): number {
  return listing[at + 1] as number;
}

export function nameStart(at: number): number {
  return at + RECORD_HEADER;
}

export function nameEnd(listing: Buffer, at: number): number {
  return at + RECORD_HEADER + ((listing[at + 2] as number) | ((listing[at + 3] as number) << 8));
}

/** A view of the entry's name (no copy). */
export function nameAt(listing: Buffer, at: number): Buffer {
  return listing.subarray(nameStart(at), nameEnd(listing, at));
}

/** `prefix` followed by the entry's name, in a Buffer of its own. */
export function pathAt(prefix: Buffer, listing: Buffer, at: number): Buffer {
  const start = nameStart(at);
  const end = nameEnd(listing, at);
  const path = Buffer.allocUnsafe(prefix.length + end - start);
  prefix.copy(path, 0);
  listing.copy(path, prefix.length, start, end);
  return path;
}

/** Where the first plain (not via a link) regular file named `name` is, or -1. */
export function findFile(listing: Buffer, name: Buffer): number {
  for (let at = 0; at < listing.length; at = nameEnd(listing, at)) {
    if (listing[at] !== EntryKind.file) continue;
    const start = nameStart(at);
    if (
      nameEnd(listing, at) - start === name.length &&
      listing.compare(name, 0, name.length, start, start + name.length) === 0
    )
      return at;
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

/** Packs entries in the order given (the caller sorts them). */
export function packListing(entries: readonly ListedEntry[]): Buffer {
  let size = 0;
  for (const entry of entries) size += RECORD_HEADER + entry.name.length;
  const listing = Buffer.allocUnsafe(size);
  let at = 0;
  for (const entry of entries) {
    listing[at] = entry.kind | (entry.viaLink ? VIA_LINK : 0);
    listing[at + 1] = entry.errorCode ? errnoOf(entry.errorCode) : 0;
    listing.writeUInt16LE(entry.name.length, at + 2);
    entry.name.copy(listing, at + RECORD_HEADER);
    at += RECORD_HEADER + entry.name.length;
  }
  return listing;
}

const EIO = 5;

function errnoOf(code: string): number {
  return (osConstants.errno as Record<string, number | undefined>)[code] ?? EIO;
}
