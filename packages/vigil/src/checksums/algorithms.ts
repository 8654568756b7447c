/**
 * The hash algorithms vigil offers: their names (the one list the command line's choices
 * come from), digest lengths, BSD tags and OpenSSL names. How they are computed is in
 * scan/digesters.ts.
 */

export const ALGORITHMS = [
  'blake3',
  'sha256',
  'sha512',
  'sha1',
  'md5',
  'xxh3',
  'sha224',
  'sha384',
  'sha3-256',
  'sha3-512',
  'blake2b',
] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];

export interface AlgorithmInfo {
  /** Digest length in bytes. */
  readonly bytes: number;
  /** The name BSD-style (`--tag`) lines use. */
  readonly tag: string;
  /** OpenSSL's name for it, where OpenSSL has it (the native reader hashes these in C). */
  readonly openssl?: string;
  /** Other names its tagged lines go by: OpenSSL 3's `openssl dgst` prints `SHA2-256(NAME)= HASH`. */
  readonly otherTags?: readonly string[];
}

export const ALGORITHM_INFO: Readonly<Record<AlgorithmName, AlgorithmInfo>> = {
  blake3: { bytes: 32, tag: 'BLAKE3' },
  sha256: { bytes: 32, tag: 'SHA256', openssl: 'SHA256', otherTags: ['SHA2-256'] },
  sha512: { bytes: 64, tag: 'SHA512', openssl: 'SHA512', otherTags: ['SHA2-512'] },
  sha1: { bytes: 20, tag: 'SHA1', openssl: 'SHA1' },
  md5: { bytes: 16, tag: 'MD5', openssl: 'MD5' },
  xxh3: { bytes: 8, tag: 'XXH3' },
  sha224: { bytes: 28, tag: 'SHA224', openssl: 'SHA224', otherTags: ['SHA2-224'] },
  sha384: { bytes: 48, tag: 'SHA384', openssl: 'SHA384', otherTags: ['SHA2-384'] },
  'sha3-256': { bytes: 32, tag: 'SHA3-256', openssl: 'SHA3-256' },
  'sha3-512': { bytes: 64, tag: 'SHA3-512', openssl: 'SHA3-512' },
  // b2sum's default: BLAKE2b with a 512-bit digest; its tag is `BLAKE2b`, OpenSSL's `BLAKE2B-512`.
  blake2b: { bytes: 64, tag: 'BLAKE2b', openssl: 'BLAKE2B-512', otherTags: ['BLAKE2B-512', 'BLAKE2b512'] },
};

export function isAlgorithmName(name: string): name is AlgorithmName {
  return (ALGORITHMS as readonly string[]).includes(name);
}

/** The algorithm whose BSD tag is `tag` (e.g. `SHA256`), if any. */
export function algorithmForTag(tag: string): AlgorithmName | undefined {
  for (const name of ALGORITHMS) {
    const info = ALGORITHM_INFO[name];
    if (info.tag === tag || info.otherTags?.includes(tag)) return name;
  }
  return undefined;
}

/**
 * The algorithms whose hex digests have this length, the usual one first (BLAKE3 for 64
 * digits, vigil's default; sha512 for 128): what an untagged manifest line may be.
 */
export function algorithmsWithHexLength(hexLength: number): AlgorithmName[] {
  return ALGORITHMS.filter((name) => ALGORITHM_INFO[name].bytes * 2 === hexLength);
}
