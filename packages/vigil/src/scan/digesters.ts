/**
 * The one shape a worker drives every hash algorithm through. BLAKE3 comes from
 * @napi-rs/blake-hash (native, SIMD), xxh3 from @node-rs/xxhash, the rest from node:crypto
 * (OpenSSL, SHA-NI where the CPU has it). Where the reader hashes an algorithm itself (see
 * digestInReader), no Digester is used for it.
 */
import { createHash, type Hash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Blake3Hasher } from '@napi-rs/blake-hash';
import type { xxh3 } from '@node-rs/xxhash';
import { ALGORITHM_INFO, type AlgorithmName } from '../checksums/algorithms.js';
import { BLAKE3_IN_READER, type FileReader } from '../fs/file-reader.js';
import type { Blake3Mode } from './blake3-mode.js';

// The native hashers load when a digester is first made, not with this module: the main
// thread needs only the names and sizes, and a worker only the algorithm it runs.
const require = createRequire(import.meta.url);

/**
 * The name `reader` hashes `algorithm` by itself (OpenSSL's digests always; BLAKE3 when the
 * native addon has BLAKE3's C sources built in), or undefined: then a Digester hashes the
 * bytes the reader reads into its arena.
 */
export function digestInReader(reader: FileReader, algorithm: AlgorithmName): string | undefined {
  const name = ALGORITHM_INFO[algorithm].openssl ?? (algorithm === 'blake3' ? BLAKE3_IN_READER : undefined);
  return name !== undefined && reader.canHash(name) ? name : undefined;
}

/** A running hash that is reused from file to file: `finish` writes the digest and resets. */
export interface Digester {
  update(chunk: Uint8Array): void;
  /** Writes the digest of everything since the last finish into `out` at `offset`. */
  finishInto(out: Uint8Array, offset: number): void;
}

const digesters = new Map<AlgorithmName, Digester>();

/** This thread's digester for `algorithm`, made on first use (they reset after each digest). */
export function digesterFor(algorithm: AlgorithmName): Digester {
  let digester = digesters.get(algorithm);
  if (digester === undefined) {
    digester = createDigester(algorithm);
    digesters.set(algorithm, digester);
  }
  return digester;
}

/**
 * A BLAKE3 digester in b3sum's keyed, derive-key or extended-output mode: the native hasher
 * for 32-byte output, @noble/hashes (JavaScript, slower) for other lengths, which the
 * native one does not offer.
 */
export function createBlake3Digester(mode: Blake3Mode): Digester {
  if (mode.length === 32) return new Blake3Digester(mode);
  return new ExtendedBlake3Digester(mode);
}

export function createDigester(algorithm: AlgorithmName): Digester {
  switch (algorithm) {
    case 'blake3':
      return new Blake3Digester();
    case 'xxh3':
      return new Xxh3Digester();
    default:
      return new OpenSslDigester(algorithm);
  }
}

class Blake3Digester implements Digester {
  readonly #hasher: Blake3Hasher;
  constructor(mode?: Blake3Mode) {
    const { Blake3Hasher } = require('@napi-rs/blake-hash') as typeof import('@napi-rs/blake-hash');
    if (mode?.key) this.#hasher = Blake3Hasher.newKeyed(Buffer.from(mode.key));
    else if (mode?.context !== undefined) this.#hasher = Blake3Hasher.newDeriveKey(mode.context);
    else this.#hasher = new Blake3Hasher();
  }
  update(chunk: Uint8Array): void {
    this.#hasher.update(chunk);
  }
  finishInto(out: Uint8Array, offset: number): void {
    out.set(this.#hasher.digestBuffer(), offset);
    this.#hasher.reset();
  }
}

class ExtendedBlake3Digester implements Digester {
  readonly #mode: Blake3Mode;
  #hasher: ReturnType<typeof import('@noble/hashes/blake3').blake3.create>;
  constructor(mode: Blake3Mode) {
    this.#mode = mode;
    this.#hasher = this.#create();
  }
  #create() {
    const { blake3 } = require('@noble/hashes/blake3') as typeof import('@noble/hashes/blake3');
    const { key, context, length } = this.#mode;
    return blake3.create({ dkLen: length, ...(key ? { key } : {}), ...(context !== undefined ? { context } : {}) });
  }
  update(chunk: Uint8Array): void {
    this.#hasher.update(chunk);
  }
  finishInto(out: Uint8Array, offset: number): void {
    out.set(this.#hasher.digest(), offset);
    this.#hasher = this.#create();
  }
}

class Xxh3Digester implements Digester {
  readonly #hasher: xxh3.Xxh3 = (require('@node-rs/xxhash') as typeof import('@node-rs/xxhash')).xxh3.Xxh3.withSeed();
  update(chunk: Uint8Array): void {
    this.#hasher.update(chunk);
  }
  finishInto(out: Uint8Array, offset: number): void {
    // xxhsum prints the canonical (big-endian) form.
    new DataView(out.buffer, out.byteOffset + offset, 8).setBigUint64(0, this.#hasher.digest(), false);
    this.#hasher.reset();
  }
}

class OpenSslDigester implements Digester {
  // One createHash per file. Copying an empty prototype Hash (to skip OpenSSL 3's provider
  // lookup, which takes a lock shared by all threads) measured no better, often worse, with
  // two threads: see "vigil hash" in docs/benchmarks.md.
  readonly #algorithm: string;
  #hash: Hash;
  constructor(algorithm: AlgorithmName) {
    this.#algorithm = ALGORITHM_INFO[algorithm].openssl ?? algorithm;
    this.#hash = createHash(this.#algorithm);
  }
  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
  }
  finishInto(out: Uint8Array, offset: number): void {
    out.set(this.#hash.digest(), offset);
    this.#hash = createHash(this.#algorithm);
  }
}
