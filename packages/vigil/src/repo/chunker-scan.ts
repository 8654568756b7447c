/**
 * The per-byte loop of content-defined chunking, in two implementations that must find the
 * same cut points: native/chunker.c (the addon's `chunkScan`) and `chunkScanJs` below, for when
 * the addon is not built. Both take the same arguments and keep the rolling hash in `state`
 * between pieces of one chunk, so the streaming code above them (chunker.ts) is shared.
 *
 * The rule (docs/format-v2-storage.md, "Chunking"): the first `minSize - 64` bytes of a chunk
 * are not hashed; every later byte b updates h = (h << 1) + gear[b] (mod 2^64); a chunk of
 * length L >= minSize ends when the top `smallMaskBits` (L < normalSize) or `largeMaskBits`
 * (L >= normalSize) bits of h are zero, or when L reaches maxSize.
 */
import { nativeAddon } from '../fs/native-addon.js';
import { type ChunkerParams, GEAR_WINDOW } from './chunker-params.js';

/**
 * Scans `bytes`, which continue a chunk that already holds `chunkLength` bytes, with the hash
 * `state` ([low, high] 32-bit halves, zero at a chunk's start). Returns how many of `bytes`
 * end the chunk (1..length) if it ends within them, else -1 with `state` updated.
 */
export type ChunkScan = (
  gear: Uint32Array,
  state: Uint32Array,
  bytes: Uint8Array,
  chunkLength: number,
  minSize: number,
  normalSize: number,
  maxSize: number,
  smallMaskBits: number,
  largeMaskBits: number,
) => number;

/** The addon's chunkScan (native/chunker.c), seen through the type it has. */
interface ChunkerAddon {
  chunkScan?: ChunkScan;
}

/** The native scanner, or undefined when the addon is off or was built without it. */
export function nativeChunkScan(): ChunkScan | undefined {
  return (nativeAddon() as ChunkerAddon | undefined)?.chunkScan;
}

/** The scanner to use: the addon's when it is there. */
export function chunkScan(): ChunkScan {
  return nativeChunkScan() ?? chunkScanJs;
}

/**
 * The same loop as native/chunker.c, with the 64-bit hash as two 32-bit halves kept in signed
 * int32 arithmetic throughout (V8 then never falls back to doubles): the low half's carry is
 * "the sum wrapped", i.e. unsigned(sum) < unsigned(addend), compared with the sign bits flipped.
 */
export const chunkScanJs: ChunkScan = (
  gearHalves,
  state,
  bytes,
  chunkLength,
  minSize,
  normalSize,
  maxSize,
  smallBits,
  largeBits,
) => {
  const gear = new Int32Array(gearHalves.buffer, gearHalves.byteOffset, 512);
  const length = bytes.length;
  let i = 0;
  const warm = minSize - GEAR_WINDOW;
  if (chunkLength < warm) {
    i = warm - chunkLength;
    if (i >= length) return -1;
  }
  let lo = state[0]! | 0;
  let hi = state[1]! | 0;
  // The top k bits of h are zero exactly when hi >>> (32 - k) is zero (k <= 32).
  const smallShift = 32 - smallBits;
  const largeShift = 32 - largeBits;
  // Lengths below minSize: hash only.
  let end = Math.min(length, minSize - 1 - chunkLength);
  for (; i < end; i++) {
    const b = bytes[i]! << 1;
    const g = gear[b]!;
    const low = ((lo << 1) + g) | 0;
    hi = (((hi << 1) | (lo >>> 31)) + gear[b + 1]! + ((low ^ SIGN) < (g ^ SIGN) ? 1 : 0)) | 0;
    lo = low;
  }
  // Lengths minSize..normalSize-1: the harder mask.
  end = Math.min(length, normalSize - 1 - chunkLength);
  for (; i < end; i++) {
    const b = bytes[i]! << 1;
    const g = gear[b]!;
    const low = ((lo << 1) + g) | 0;
    hi = (((hi << 1) | (lo >>> 31)) + gear[b + 1]! + ((low ^ SIGN) < (g ^ SIGN) ? 1 : 0)) | 0;
    lo = low;
    if (hi >>> smallShift === 0) return finish(state, i + 1);
  }
  // Lengths normalSize..maxSize: the easier mask, and maxSize ends the chunk in any case.
  end = Math.min(length, maxSize - chunkLength);
  for (; i < end; i++) {
    const b = bytes[i]! << 1;
    const g = gear[b]!;
    const low = ((lo << 1) + g) | 0;
    hi = (((hi << 1) | (lo >>> 31)) + gear[b + 1]! + ((low ^ SIGN) < (g ^ SIGN) ? 1 : 0)) | 0;
    lo = low;
    if (hi >>> largeShift === 0) return finish(state, i + 1);
  }
  if (chunkLength + i >= maxSize) return finish(state, i);
  state[0] = lo;
  state[1] = hi;
  return -1;
};

/** Flips the sign bit, so that signed comparison of int32s orders them as unsigned. */
const SIGN = -0x80000000;

function finish(state: Uint32Array, cut: number): number {
  state[0] = 0;
  state[1] = 0;
  return cut;
}

/** The scanner's parameters in call order, for the streaming code. */
export function scanArgs(p: ChunkerParams): [number, number, number, number, number] {
  return [p.minSize, p.normalSize, p.maxSize, p.smallMaskBits, p.largeMaskBits];
}
