/**
 * Inside a worker: a file too big for the arena, hashed from JavaScript by hash, check and
 * baseline (a Digester: BLAKE3 where the addon lacks BLAKE3's C sources, b3sum's keyed and
 * extended modes). Its data ranges are read and its holes handed to the digester as zeros,
 * never read: reading a hole makes the kernel fill page cache with zeros first (a 4 GiB
 * sparse file: 18 s of system time cold).
 * The native reader does the same in C (native/read_verified.c); without the addon the whole
 * file is one range (repo/data-ranges.ts), as read before.
 */
import type { LargeFile } from '../fs/batch-reads.js';
import type { FileFailure } from '../fs/failures.js';
import { dataRanges } from '../repo/data-ranges.js';
import type { Digester } from './digesters.js';

/** Holes shorter than this are read like data: a few more bytes read, fewer ranges. */
const MIN_SKIPPED_HOLE = 64 * 1024;
/** Zeros handed on per update for a hole. */
const ZEROS = Buffer.alloc(1024 * 1024);

/** Streams `file` into `digester`, holes as zeros; closes it. Changed or failed: a failure. */
export function hashLargeFile(file: LargeFile, digester: Digester): FileFailure | undefined {
  let position = 0;
  const zerosUpTo = (end: number) => {
    for (; position < end; position += ZEROS.length) {
      digester.update(end - position < ZEROS.length ? ZEROS.subarray(0, end - position) : ZEROS);
    }
    position = end;
  };
  return file.readRanges(
    (fd, size) => {
      const ranges = dataRanges(fd, size, MIN_SKIPPED_HOLE);
      zerosUpTo(ranges[0]?.[0] ?? size); // a leading hole, or the whole file
      return ranges;
    },
    (piece) => {
      digester.update(piece);
      position += piece.length;
    },
    zerosUpTo,
  );
}
