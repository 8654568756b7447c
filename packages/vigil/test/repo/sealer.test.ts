/** The sealer: AES-256-GCM blobs that open only unaltered, under their key, as their kind. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { nativeAddon } from '../../src/fs/native-addon.js';
import {
  BLOB_KINDS,
  createSealer,
  NONCE_BYTES,
  openBytes,
  openBytesJs,
  SEAL_OVERHEAD,
  SealedBlobError,
  sealBytes,
  sealBytesJs,
  TAG_BYTES,
} from '../../src/repo/sealer.js';

const key = randomBytes(32);
const sealer = createSealer(key);

function flipped(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] ^= 0x01;
  return copy;
}

describe('sealer', () => {
  it('round-trips every kind, empty and large blobs, laid out as nonce || ciphertext || tag', () => {
    for (const plain of [Buffer.alloc(0), Buffer.from('hello'), randomBytes(200_001), randomBytes(1 << 20)]) {
      for (const kind of BLOB_KINDS) {
        const sealed = sealer.seal(plain, kind);
        assert.equal(sealed.length, plain.length + SEAL_OVERHEAD);
        if (plain.length > 0) assert.notDeepEqual(sealed.subarray(NONCE_BYTES, NONCE_BYTES + plain.length), plain);
        assert.deepEqual(sealer.open(sealed, kind), plain);
      }
    }
  });

  it('uses a fresh nonce per blob: the same plaintext seals differently', () => {
    const plain = Buffer.from('same bytes');
    const a = sealer.seal(plain, 'data');
    const b = sealer.seal(plain, 'data');
    assert.notDeepEqual(a.subarray(0, NONCE_BYTES), b.subarray(0, NONCE_BYTES));
    assert.notDeepEqual(a, b);
  });

  it('refuses a flipped byte in the nonce, the ciphertext or the tag', () => {
    const sealed = sealer.seal(randomBytes(1000), 'tree');
    for (const at of [
      0,
      NONCE_BYTES - 1,
      NONCE_BYTES,
      NONCE_BYTES + 500,
      sealed.length - TAG_BYTES - 1,
      sealed.length - 1,
    ]) {
      assert.throws(
        () => sealer.open(flipped(sealed, at), 'tree'),
        (error: unknown) => error instanceof SealedBlobError && error.code === 'ERR_VIGIL_SEALED_BLOB',
        `byte ${at}`,
      );
    }
  });

  it('refuses a blob opened as another kind', () => {
    const sealed = sealer.seal(Buffer.from('{"tree": []}'), 'tree');
    for (const kind of BLOB_KINDS.filter((k) => k !== 'tree')) {
      assert.throws(() => sealer.open(sealed, kind), SealedBlobError, kind);
    }
  });

  it('refuses a blob sealed under another key', () => {
    const sealed = createSealer(randomBytes(32)).seal(Buffer.from('other repository'), 'snapshot');
    assert.throws(() => sealer.open(sealed, 'snapshot'), SealedBlobError);
  });

  it('refuses truncated blobs, down to nothing, with a named error', () => {
    const sealed = sealer.seal(Buffer.from('some plaintext'), 'index');
    for (const length of [sealed.length - 1, SEAL_OVERHEAD, SEAL_OVERHEAD - 1, NONCE_BYTES, 1, 0]) {
      assert.throws(() => sealer.open(sealed.subarray(0, length), 'index'), SealedBlobError, `${length} bytes`);
    }
    assert.throws(() => sealer.open(Buffer.concat([sealed, Buffer.from([0])]), 'index'), SealedBlobError);
  });

  it('rejects keys of the wrong length and unknown kinds', () => {
    assert.throws(() => createSealer(randomBytes(16)), RangeError);
    assert.throws(() => sealer.seal(Buffer.from('x'), 'config' as never), TypeError);
  });
});

describe("the addon's AES-256-GCM (native/sealing.c) and node:crypto's", () => {
  const keys = [randomBytes(32), randomBytes(32)];
  const aad = Buffer.from('vigil-v2:data');

  it('is what sealBytes and openBytes use (the tests build the addon)', () => {
    const addon = nativeAddon() as { sealBlob?: unknown; openBlob?: unknown } | undefined;
    assert.equal(typeof addon?.sealBlob, 'function');
    assert.equal(typeof addon?.openBlob, 'function');
  });

  it('make blobs the other opens, for any size and with keys taking turns (each thread keeps a keyed context)', () => {
    for (const size of [0, 1, 15, 16, 17, 4096, (1 << 20) + 3]) {
      for (const [i, key] of [...keys, ...keys].entries()) {
        const plain = randomBytes(size);
        const byAddon = sealBytes(key, plain, aad);
        const byNode = sealBytesJs(key, plain, aad);
        assert.equal(byAddon.length, size + SEAL_OVERHEAD);
        assert.deepEqual(openBytesJs(key, byAddon, aad, 'a blob'), plain, `size ${size}, round ${i}`);
        assert.deepEqual(openBytes(key, byNode, aad, 'a blob'), plain, `size ${size}, round ${i}`);
        // Under the other key, or with other associated data, neither opens it.
        const other = keys[(keys.indexOf(key) + 1) % keys.length] as Buffer;
        assert.throws(() => openBytes(other, byAddon, aad, 'a blob'), SealedBlobError);
        assert.throws(() => openBytes(key, byAddon, Buffer.from('vigil-v2:tree'), 'a blob'), SealedBlobError);
      }
    }
  });

  it('refuse a flipped bit anywhere, and open the same blob intact right after', () => {
    const key = keys[0] as Buffer;
    const plain = randomBytes(5000);
    const sealed = sealBytes(key, plain, aad);
    for (const at of [
      0,
      NONCE_BYTES - 1,
      NONCE_BYTES,
      NONCE_BYTES + 2500,
      sealed.length - TAG_BYTES,
      sealed.length - 1,
    ]) {
      assert.throws(() => openBytes(key, flipped(sealed, at), aad, 'the blob'), /the blob does not authenticate/);
      assert.throws(() => openBytesJs(key, flipped(sealed, at), aad, 'the blob'), SealedBlobError);
      assert.deepEqual(openBytes(key, sealed, aad, 'the blob'), plain);
    }
  });
});
