/**
 * The data ranges of a file, so that a backup reads and stores only where a sparse file has
 * data, and restore brings the holes back by not writing them (ftruncate to the size, then
 * write each range at its offset). Where the addon is missing or the file system cannot tell
 * (lseek SEEK_DATA fails with EINVAL or EOPNOTSUPP), the whole file is one data range.
 */
import { fstatSync, ftruncateSync, writeSync } from 'node:fs';
import { nativeAddon } from '../fs/native-addon.js';

/** [start, end) in bytes. */
export type DataRange = readonly [start: number, end: number];

/**
 * Holes shorter than this are read and stored as zeros (they compress to almost nothing): a
 * file of many small holes would otherwise become many small chunks, one run per range.
 */
export const MIN_HOLE_BYTES = 1 << 20;

interface DataRangesAddon {
  dataRanges?(fd: number, from: number, out: Float64Array): number;
}

const RANGES_PER_CALL = 256;
const EINVAL = 22;
const EOPNOTSUPP = 95;

/**
 * The data ranges of the open regular file `fd` of `size` bytes (fstat's, taken by the caller
 * before reading), in order, with holes shorter than `minHole` merged into the data around them.
 * A range never ends past `size`: data appended after the fstat is the reader's "changed while read".
 */
export function dataRanges(fd: number, size: number, minHole = MIN_HOLE_BYTES): DataRange[] {
  if (size === 0) return [];
  const addon = nativeAddon() as DataRangesAddon | undefined;
  if (addon?.dataRanges === undefined) return [[0, size]];
  const found: Array<[number, number]> = [];
  const out = new Float64Array(RANGES_PER_CALL * 2);
  let from = 0;
  for (;;) {
    const count = addon.dataRanges(fd, from, out);
    if (count === -EINVAL || count === -EOPNOTSUPP) return [[0, size]];
    if (count < 0) throw Object.assign(new Error(`lseek SEEK_DATA failed (errno ${-count})`), { errno: -count });
    for (let i = 0; i < count; i++) {
      const start = out[2 * i]!;
      const end = Math.min(out[2 * i + 1]!, size);
      if (start >= size) return coalesce(found, minHole);
      found.push([start, end]);
    }
    if (count < RANGES_PER_CALL) return coalesce(found, minHole);
    from = out[2 * count - 1]!;
  }
}

function coalesce(ranges: Array<[number, number]>, minHole: number): DataRange[] {
  const merged: Array<[number, number]> = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last !== undefined && range[0] - last[1] < minHole) last[1] = range[1];
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/**
 * Restores a file's layout: sets `fd`'s size to `size` (everything not written later stays a
 * hole), then `write` puts each piece of data at its offset. The pieces must lie within `size`.
 */
export function writeSparse(fd: number, size: number, pieces: Iterable<{ offset: number; bytes: Uint8Array }>): void {
  ftruncateSync(fd, size);
  for (const { offset, bytes } of pieces) {
    if (!(offset >= 0 && offset + bytes.length <= size)) {
      throw new RangeError(`a piece at ${offset} of ${bytes.length} bytes lies outside the file's ${size} bytes`);
    }
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, offset + done);
  }
}

/** How many bytes of `fd` the file system has allocated (st_blocks * 512): small for a sparse file. */
export function allocatedBytes(fd: number): number {
  return fstatSync(fd).blocks * 512;
}
