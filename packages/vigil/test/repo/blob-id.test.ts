/** Blob ids: keyed BLAKE3, checked against BLAKE3's official keyed_hash test vectors on every implementation. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { nativeAddon } from '../../src/fs/native-addon.js';
import {
  type BlobIdHasher,
  createBlobIdHasher,
  createNapiBlobIdHasher,
  createNativeBlobIdHasher,
  formatBlobId,
  parseBlobId,
} from '../../src/repo/blob-id.js';

// From BLAKE3's test_vectors/test_vectors.json: the key, and the first 32 bytes of keyed_hash
// for inputs of `length` bytes 0, 1, ..., 250, 0, 1, ...
const KEY = Buffer.from('whats the Elvish word for friend');
const VECTORS: [length: number, keyedHash: string][] = [
  [0, '92b2b75604ed3c761f9d6f62392c8a9227ad0ea3f09573e783f1498a4ed60d26'],
  [1, '6d7878dfff2f485635d39013278ae14f1454b8c0a3a2d34bc1ab38228a80c95b'],
  [1023, 'c951ecdf03288d0fcc96ee3413563d8a6d3589547f2c2fb36d9786470f1b9d6e'],
  [1024, '75c46f6f3d9eb4f55ecaaee480db732e6c2105546f1e675003687c31719c7ba4'],
  [1025, '357dc55de0c7e382c900fd6e320acc04146be01db6a8ce7210b7189bd664ea69'],
  [2048, '879cf1fa2ea0e79126cb1063617a05b6ad9d0b696d0d757cf053439f60a99dd1'],
  [4097, '00df940cd36bb9fa7cbbc3556744e0dbc8191401afe70520ba292ee3ca80abbc'],
  [7169, 'ed9b1a922c046fdb3d423ae34e143b05ca1bf28b710432857bf738bcedbfa511'],
  [8192, 'dc9637c8845a770b4cbf76b8daec0eebf7dc2eac11498517f08d44c8fc00d58a'],
  [8193, '954a2a75420c8d6547e3ba5b98d963e6fa6491addc8c023189cc519821b4a1f5'],
  [31744, 'efa53b389ab67c593dba624d898d0f7353ab99e4ac9d42302ee64cbf9939a419'],
  [102400, '1c35d1a5811083fd7119f5d5d1ba027b4d01c0c6c49fb6ff2cf75393ea5db4a7'],
];

function vectorInput(length: number): Buffer {
  const input = Buffer.alloc(length);
  for (let i = 0; i < length; i++) input[i] = i % 251;
  return input;
}

function checkVectors(hasher: BlobIdHasher): void {
  for (const [length, expected] of VECTORS) {
    assert.equal(formatBlobId(hasher.id(vectorInput(length))), expected, `${hasher.implementation}, ${length} bytes`);
  }
  // Twice: a hasher reused for many blobs must not carry state from one to the next.
  for (const [length, expected] of VECTORS) {
    assert.equal(formatBlobId(hasher.id(vectorInput(length))), expected, `again, ${length} bytes`);
  }
}

describe('blob ids', () => {
  it('@napi-rs/blake-hash gives the official keyed BLAKE3 vectors', () => {
    checkVectors(createNapiBlobIdHasher(KEY));
  });

  it('the native addon, when it has BLAKE3, gives the same vectors', (t) => {
    const native = createNativeBlobIdHasher(KEY);
    if (nativeAddon()?.blake3 !== undefined) assert.ok(native, 'an addon with BLAKE3 has blake3Keyed');
    if (native === undefined) {
      // Only an install without BLAKE3's C sources lacks it; CI installs them (install-system-deps.sh).
      t.diagnostic('native keyed BLAKE3 not built: the napi-rs path is the one in use');
      assert.equal(createBlobIdHasher(KEY).implementation, 'napi-rs');
      return;
    }
    checkVectors(native);
    assert.equal(createBlobIdHasher(KEY).implementation, 'native');
  });

  it('both implementations agree on random data, and the id depends on the key', () => {
    const native = createNativeBlobIdHasher(KEY);
    const napi = createNapiBlobIdHasher(KEY);
    for (const length of [3, 65536, 1 << 20]) {
      const data = randomBytes(length);
      if (native) assert.deepEqual(native.id(data), napi.id(data));
      assert.notDeepEqual(createBlobIdHasher(randomBytes(32)).id(data), napi.id(data));
    }
  });

  it('takes views into larger buffers at their offset', () => {
    const whole = vectorInput(2048 + 7);
    const view = whole.subarray(7, 7 + 1024);
    const expected = createNapiBlobIdHasher(KEY).id(Buffer.from(view));
    assert.deepEqual(createBlobIdHasher(KEY).id(view), expected);
  });

  it('prints and parses ids as 64 lowercase hex characters, and nothing else', () => {
    const id = createBlobIdHasher(KEY).id(Buffer.from('x'));
    const text = formatBlobId(id);
    assert.match(text, /^[0-9a-f]{64}$/);
    assert.deepEqual(parseBlobId(text), id);
    for (const bad of ['', text.slice(1), `${text}0`, text.toUpperCase(), `../${text.slice(3)}`, `${text.slice(1)}g`]) {
      assert.equal(parseBlobId(bad), undefined, bad);
    }
    assert.throws(() => formatBlobId(id.subarray(1)), RangeError);
    assert.throws(() => createBlobIdHasher(randomBytes(31)), RangeError);
  });

  it('gives each id a buffer of its own, never a slice of a shared pool', () => {
    // Structured clone copies a view's whole ArrayBuffer: an id from Buffer's 8 KiB pool took
    // the slab and whatever else was in it to the main thread of a backup.
    const hashers = [createNapiBlobIdHasher(KEY), createNativeBlobIdHasher(KEY)].filter((h) => h !== undefined);
    for (const hasher of hashers) {
      const id = hasher.id(Buffer.from('x'));
      assert.equal(id.buffer.byteLength, 32, hasher.implementation);
      assert.equal(id.byteOffset, 0, hasher.implementation);
    }
  });
});
