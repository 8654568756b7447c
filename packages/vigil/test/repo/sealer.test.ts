/** The sealer: AES-256-GCM blobs that open only unaltered, under their key, as their kind. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  BLOB_KINDS,
  createSealer,
  NONCE_BYTES,
  SEAL_OVERHEAD,
  SealedBlobError,
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
