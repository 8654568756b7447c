/**
 * b3sum's other modes of BLAKE3: `--keyed` (a 32-byte key: a MAC), `--derive-key CONTEXT`
 * (key derivation) and `--length N` (extended output). They travel with each batch to the
 * workers; the digest length they set replaces BLAKE3's 32 bytes everywhere a digest is cut.
 */
import { ALGORITHM_INFO, type AlgorithmName } from '../checksums/algorithms.js';

export interface Blake3Mode {
  /** `--keyed`: exactly 32 bytes. */
  readonly key?: Uint8Array;
  /** `--derive-key CONTEXT`. */
  readonly context?: string;
  /** `--length N`: output bytes (BLAKE3's default is 32). */
  readonly length: number;
}

/** BLAKE3 keys are 32 bytes, and b3sum's `--length` takes at most this many (it is a u64 in b3sum; we bound memory). */
export const BLAKE3_KEY_BYTES = 32;
export const MAX_BLAKE3_LENGTH = 1 << 20;

/** The length in bytes of one digest of `algorithm`, in `mode` if it is BLAKE3's. */
export function digestBytes(algorithm: AlgorithmName, mode: Blake3Mode | undefined): number {
  return algorithm === 'blake3' && mode !== undefined ? mode.length : ALGORITHM_INFO[algorithm].bytes;
}
