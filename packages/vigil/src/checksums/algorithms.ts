/**
 * The hash algorithms vigil offers: their names (the one list the command line's choices
 * come from), digest lengths, BSD tags and OpenSSL names. How they are computed is in
 * scan/digesters.ts.
 */

export const ALGORITHMS = ['blake3', 'sha256', 'sha512', 'sha1', 'md5', 'xxh3'] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];

export interface AlgorithmInfo {
  /** Digest length in bytes. */
  readonly bytes: number;
  /** The name BSD-style (`--tag`) lines use. */
  readonly tag: string;
  /** OpenSSL's name for it, where OpenSSL has it (the native reader hashes these in C). */
  readonly openssl?: string;
}

export const ALGORITHM_INFO: Readonly<Record<AlgorithmName, AlgorithmInfo>> = {
  blake3: { bytes: 32, tag: 'BLAKE3' },
  sha256: { bytes: 32, tag: 'SHA256', openssl: 'SHA256' },
  sha512: { bytes: 64, tag: 'SHA512', openssl: 'SHA512' },
  sha1: { bytes: 20, tag: 'SHA1', openssl: 'SHA1' },
  md5: { bytes: 16, tag: 'MD5', openssl: 'MD5' },
  xxh3: { bytes: 8, tag: 'XXH3' },
};

export function isAlgorithmName(name: string): name is AlgorithmName {
  return (ALGORITHMS as readonly string[]).includes(name);
}

/** The algorithm whose BSD tag is `tag` (e.g. `SHA256`), if any. */
export function algorithmForTag(tag: string): AlgorithmName | undefined {
  for (const name of ALGORITHMS) if (ALGORITHM_INFO[name].tag === tag) return name;
  return undefined;
}
