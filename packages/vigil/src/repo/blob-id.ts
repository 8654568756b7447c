/**
 * Blob ids (docs/format-v2-crypto.md, "Blob ids"): the 32-byte keyed BLAKE3 of a blob's
 * plaintext, keyed with the repository's id key, printed as 64 lowercase hex characters.
 * Keyed, so the ids a repository lists do not let someone who holds a file check whether the
 * repository stores it.
 *
 * Two implementations compute the same function: the native addon's `blake3Keyed` (BLAKE3's
 * official C sources, when the addon was built with them: see native/keyed_blake3.c) and
 * @napi-rs/blake-hash's keyed hasher, which every install has. `createBlobIdHasher` picks the
 * addon when it has the entry point.
 */
import { createRequire } from 'node:module';
import { nativeAddon } from '../fs/native-addon.js';

export const BLOB_ID_BYTES = 32;
export const BLOB_ID_HEX_LENGTH = 2 * BLOB_ID_BYTES;
const HEX_ID = /^[0-9a-f]{64}$/;

/** Names blobs under one repository's id key. */
export interface BlobIdHasher {
  /** The 32-byte id of `plain`. */
  id(plain: Uint8Array): Buffer;
  /** Which implementation computes it, for benchmarks and diagnostics. */
  readonly implementation: 'native' | 'napi-rs';
}

/** The addon's keyed BLAKE3 (native/keyed_blake3.c): writes the 32-byte keyed hash of `data` into `out`. */
type NativeKeyedBlake3 = (key: Uint8Array, data: Uint8Array, out: Uint8Array) => void;

const require = createRequire(import.meta.url);

/** The fastest hasher this install has, under `idKey` (32 bytes, the master keys' `id`). */
export function createBlobIdHasher(idKey: Uint8Array): BlobIdHasher {
  return createNativeBlobIdHasher(idKey) ?? createNapiBlobIdHasher(idKey);
}

/** The addon's hasher, or undefined when the addon or its BLAKE3 is missing. */
export function createNativeBlobIdHasher(idKey: Uint8Array): BlobIdHasher | undefined {
  checkKey(idKey);
  const keyed = (nativeAddon() as { blake3Keyed?: NativeKeyedBlake3 } | undefined)?.blake3Keyed;
  if (keyed === undefined) return undefined;
  const key = Uint8Array.from(idKey);
  return {
    implementation: 'native',
    id(plain) {
      // Not from Buffer's shared 8 KiB pool: a backup worker's ids cross to the main thread
      // (which keeps them until the trees are built), and structured clone copies the whole
      // ArrayBuffer under a view, so pooled ids carried every pool slab the worker had filled
      // with other bytes too: ~100 MB of the main thread's memory on the /usr/share copy.
      const out = Buffer.allocUnsafeSlow(BLOB_ID_BYTES);
      keyed(key, plain, out);
      return out;
    },
  };
}

/** @napi-rs/blake-hash's keyed hasher: every install has it. */
export function createNapiBlobIdHasher(idKey: Uint8Array): BlobIdHasher {
  checkKey(idKey);
  const { Blake3Hasher } = require('@napi-rs/blake-hash') as typeof import('@napi-rs/blake-hash');
  // One hasher, reset after each id: making a keyed hasher per blob costs more than hashing a small one.
  const hasher = Blake3Hasher.newKeyed(Buffer.from(idKey));
  return {
    implementation: 'napi-rs',
    id(plain) {
      hasher.reset();
      hasher.update(plain);
      const id = hasher.digestBuffer();
      hasher.reset();
      return id;
    },
  };
}

/** An id as printed: 64 lowercase hex characters. */
export function formatBlobId(id: Uint8Array): string {
  if (id.length !== BLOB_ID_BYTES) throw new RangeError(`a blob id is ${BLOB_ID_BYTES} bytes, not ${id.length}`);
  return Buffer.from(id.buffer, id.byteOffset, id.length).toString('hex');
}

/** The bytes of a printed id, or undefined unless `text` is exactly 64 lowercase hex characters. */
export function parseBlobId(text: string): Buffer | undefined {
  return HEX_ID.test(text) ? Buffer.from(text, 'hex') : undefined;
}

function checkKey(idKey: Uint8Array): void {
  if (idKey.length !== BLOB_ID_BYTES) {
    throw new RangeError(`the blob id key must be ${BLOB_ID_BYTES} bytes, not ${idKey.length}`);
  }
}
