/**
 * The parameters of repository format 2's content-defined chunking and the gear table that the
 * rolling hash is made of. The table comes from the repository's secret chunker seed, so that
 * someone who knows a file cannot tell from the sizes of its blobs whether it is in a backup
 * (docs/format-v2-storage.md, "Chunking", is the contract; keep the two in step).
 */
import { createHmac } from 'node:crypto';

/** Bytes of context a boundary depends on: the gear hash forgets a byte after 64 shifts. */
export const GEAR_WINDOW = 64;

/** Where a chunk may end; see docs/format-v2-storage.md for the arithmetic of the mean size. */
export interface ChunkerParams {
  /** No chunk but a file's (or data range's) last one is shorter. */
  readonly minSize: number;
  /** Below this length a cut needs the hash's top `smallMaskBits` bits zero, from it on `largeMaskBits`. */
  readonly normalSize: number;
  /** A chunk that reaches this length ends there. */
  readonly maxSize: number;
  readonly smallMaskBits: number;
  readonly largeMaskBits: number;
}

/**
 * min 512 KiB, max 8 MiB; cuts between 512 and 768 KiB are 16 times harder than after it
 * (FastCDC's normalized chunking, level 2), which makes the mean chunk of random data 1 MiB.
 */
export const DEFAULT_CHUNKER_PARAMS: ChunkerParams = Object.freeze({
  minSize: 512 * 1024,
  normalSize: 768 * 1024,
  maxSize: 8 * 1024 * 1024,
  smallMaskBits: 22,
  largeMaskBits: 18,
});

/** Throws a TypeError unless `p` is a set of parameters both chunk scanners accept. */
export function checkChunkerParams(p: ChunkerParams): void {
  const whole = (n: number) => Number.isSafeInteger(n) && n > 0;
  if (
    !whole(p.minSize) ||
    !whole(p.normalSize) ||
    !whole(p.maxSize) ||
    p.minSize < GEAR_WINDOW ||
    p.normalSize < p.minSize ||
    p.maxSize < p.normalSize ||
    p.maxSize > 2 ** 32 - 1 ||
    !(p.smallMaskBits >= 1 && p.smallMaskBits <= 32 && Number.isInteger(p.smallMaskBits)) ||
    !(p.largeMaskBits >= 1 && p.largeMaskBits <= 32 && Number.isInteger(p.largeMaskBits))
  ) {
    throw new TypeError(
      `invalid chunker parameters ${JSON.stringify(p)}: need ${GEAR_WINDOW} <= min <= normal <= max < 4 GiB and mask bits 1..32`,
    );
  }
}

/** The message of the HMAC whose output makes the gear table, followed by one block-number byte. */
const GEAR_LABEL = 'vigil chunker gear table v1';
export const CHUNKER_SEED_BYTES = 32;

/**
 * The 256 64-bit gear values, as little-endian (low, high) 32-bit halves: entry e is
 * bytes 8e..8e+7 of HMAC-SHA256(seed, label || 0) || HMAC-SHA256(seed, label || 1) || ... (64 blocks).
 */
export function gearTable(seed: Uint8Array): Uint32Array {
  if (seed.length !== CHUNKER_SEED_BYTES) {
    throw new TypeError(`a chunker seed is ${CHUNKER_SEED_BYTES} bytes, not ${seed.length}`);
  }
  const bytes = Buffer.alloc(256 * 8);
  for (let block = 0; block < 64; block++) {
    const mac = createHmac('sha256', seed).update(GEAR_LABEL).update(Uint8Array.of(block)).digest();
    mac.copy(bytes, block * 32);
  }
  const table = new Uint32Array(512);
  for (let i = 0; i < 512; i++) table[i] = bytes.readUInt32LE(i * 4);
  return table;
}
