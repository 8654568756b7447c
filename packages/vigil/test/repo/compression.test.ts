/** Compression framing: zstd per blob, 'auto' | 'off' | 'max', decoding bounded by the recorded size, on every zstd. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { nativeAddon } from '../../src/fs/native-addon.js';
import {
  type BlobCodec,
  BlobDecodeError,
  createBlobCodec,
  readFrameHeader,
  STORED,
  ZSTD,
} from '../../src/repo/compression.js';
import { loadZstd, nativeZstd, nodeZlibZstd, wasmZstd, type ZstdBackend } from '../../src/repo/zstd.js';

const text = Buffer.from('the quick brown fox jumps over the lazy dog\n'.repeat(5000));
const noise = randomBytes(256 * 1024);

async function backends(): Promise<ZstdBackend[]> {
  const found = [nativeZstd(), nodeZlibZstd(), await wasmZstd()].filter((b): b is ZstdBackend => b !== undefined);
  return found;
}

function isDecodeError(error: unknown): boolean {
  return error instanceof BlobDecodeError && error.code === 'ERR_VIGIL_BLOB_DECODE';
}

/** `encoded` with its zstd frame header's content size rewritten to `size` (same field width). */
function withFrameContentSize(encoded: Buffer, size: number): Buffer {
  const copy = Buffer.from(encoded);
  const frame = copy.subarray(5);
  const descriptor = frame[4];
  const singleSegment = (descriptor >> 5) & 1;
  assert.equal(descriptor >> 6, 2, 'a 4-byte content size field (the test relies on it)');
  frame.writeUInt32LE(size, 5 + (singleSegment ? 0 : 1));
  return copy;
}

describe('compression', () => {
  it('has the zstd this install should have: the addon with libzstd here, node:zlib on Node >= 22.15', async () => {
    if (nativeAddon() !== undefined && (nativeAddon() as { zstd?: string }).zstd !== undefined) {
      assert.equal((await loadZstd()).name, 'native');
    }
    const [major, minor] = process.versions.node.split('.').map(Number);
    if (major > 22 || (major === 22 && minor >= 15)) assert.ok(nodeZlibZstd(), 'node:zlib has zstd');
    assert.ok((await backends()).length >= 1);
  });

  it('round-trips in every mode on every zstd, and each reads what the others wrote', async () => {
    const all = await backends();
    for (const writer of all) {
      const codec = createBlobCodec(writer);
      for (const mode of ['auto', 'off', 'max'] as const) {
        for (const plain of [Buffer.alloc(0), Buffer.from('x'), text, noise]) {
          const encoded = codec.encode(plain, mode);
          for (const reader of all) {
            const decoded = createBlobCodec(reader).decode(encoded, { rawLength: plain.length });
            assert.deepEqual(decoded, plain, `${writer.name} -> ${reader.name}, ${mode}, ${plain.length} bytes`);
          }
        }
      }
    }
  });

  it("'auto' compresses text and stores incompressible or tiny blobs as they are; 'off' always stores", async () => {
    const codec = createBlobCodec(await loadZstd());
    const packed = codec.encode(text, 'auto');
    assert.equal(packed[0], ZSTD);
    assert.ok(packed.length < text.length / 20, `${packed.length} bytes`);
    assert.equal(packed.readUInt32LE(1), text.length);
    for (const plain of [noise, Buffer.from('tiny'), Buffer.alloc(0)]) {
      const stored = codec.encode(plain, 'auto');
      assert.equal(stored[0], STORED, `${plain.length} bytes`);
      assert.equal(stored.length, plain.length + 1);
    }
    assert.equal(codec.encode(text, 'off')[0], STORED);
    assert.ok(codec.encode(text, 'max').length <= packed.length);
    assert.equal(codec.encode(noise, 'max')[0], STORED, 'max does not keep a frame larger than the blob');
    assert.throws(() => codec.encode(text, 'fast' as never), TypeError);
  });

  it('refuses a blob whose length is not the recorded one, or over the limit', async () => {
    const codec = createBlobCodec(await loadZstd());
    for (const encoded of [codec.encode(text, 'auto'), codec.encode(text, 'off')]) {
      assert.deepEqual(codec.decode(encoded, { maxRawLength: text.length }), text);
      assert.throws(() => codec.decode(encoded, { rawLength: text.length - 1 }), isDecodeError);
      assert.throws(() => codec.decode(encoded, { rawLength: text.length + 1 }), isDecodeError);
      assert.throws(() => codec.decode(encoded, { maxRawLength: text.length - 1 }), isDecodeError);
    }
  });

  it('bounds a decompression bomb by the recorded size on every zstd', async () => {
    // 64 MiB of zeros in a frame of a few KiB, relabelled as a 1000-byte blob in both headers.
    const bombSize = 64 << 20;
    for (const zstd of await backends()) {
      const codec = createBlobCodec(zstd);
      const encoded = codec.encode(Buffer.alloc(bombSize), 'auto');
      assert.ok(encoded.length < 64 * 1024);
      const lying = withFrameContentSize(encoded, 1000);
      lying.writeUInt32LE(1000, 1);
      assert.throws(() => codec.decode(lying, { rawLength: 1000 }), isDecodeError, zstd.name);
      assert.throws(() => codec.decode(lying, { maxRawLength: 1000 }), isDecodeError, zstd.name);
      // Its true size, when the index records less, is refused before any decompressor runs.
      assert.throws(() => codec.decode(encoded, { maxRawLength: 8 << 20 }), /over the limit/);
    }
  });

  it('refuses frames whose header disagrees, is truncated, wants a dictionary or is not zstd', async () => {
    const codec = createBlobCodec(await loadZstd());
    const encoded = codec.encode(text, 'auto');
    const bound = { rawLength: text.length };
    const cases: [string, Buffer][] = [
      ['empty', Buffer.alloc(0)],
      ['unknown method', Buffer.concat([Buffer.from([0x02]), encoded.subarray(1)])],
      ['truncated in the length', encoded.subarray(0, 3)],
      ['no frame', encoded.subarray(0, 5)],
      ['truncated frame header', encoded.subarray(0, 8)],
      ['truncated frame body', encoded.subarray(0, encoded.length - 10)],
      ['frame says another size', withFrameContentSize(encoded, text.length + 1)],
      ['bad magic', Buffer.concat([encoded.subarray(0, 5), Buffer.from([0, 0, 0, 0]), encoded.subarray(9)])],
    ];
    const dictionary = Buffer.from(encoded);
    dictionary[9] |= 1;
    cases.push(['dictionary', dictionary]);
    const reserved = Buffer.from(encoded);
    reserved[9] |= 8;
    cases.push(['reserved bit', reserved]);
    const corrupt = Buffer.from(encoded);
    for (let at = 20; at < corrupt.length - 4; at += 7) corrupt[at] ^= 0x5a;
    cases.push(['corrupt body', corrupt]);
    for (const [what, bad] of cases) assert.throws(() => codec.decode(bad, bound), isDecodeError, what);
  });

  it("the addon's zstd entry points refuse bad arguments with a TypeError, not a crash", (t) => {
    const addon = nativeAddon() as
      | { zstdCompress?: (...args: unknown[]) => Buffer; zstdDecompress?: (...args: unknown[]) => Buffer }
      | undefined;
    if (addon?.zstdCompress === undefined || addon.zstdDecompress === undefined) {
      t.diagnostic('the addon has no zstd here: nothing to check');
      return;
    }
    const frame = addon.zstdCompress(text, 2);
    for (const args of [
      [text, 1000],
      [text, -1_000_000],
      [text, 2.5],
      [text, Number.NaN],
      ['text', 2],
      [text],
      [new Uint16Array(4), 2],
    ]) {
      assert.throws(() => addon.zstdCompress?.(...args), TypeError, String(args[1]));
    }
    for (const args of [[frame, -1], [frame, 1.5], [frame, Number.NaN], [frame, 2 ** 40], ['frame', 10], [frame]]) {
      assert.throws(() => addon.zstdDecompress?.(...args), TypeError, String(args[1]));
    }
    assert.deepEqual(addon.zstdDecompress(frame, text.length), text);
  });

  it('reads the content size of every header form', () => {
    const header = (descriptor: number, rest: number[]) =>
      Buffer.from([0x28, 0xb5, 0x2f, 0xfd, descriptor, ...rest, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(readFrameHeader(header(0x20, [200])), { contentSize: 200 });
    assert.deepEqual(readFrameHeader(header(0x60, [1, 1])), { contentSize: 257 + 256 });
    assert.deepEqual(readFrameHeader(header(0xa0, [1, 0, 1, 0])), { contentSize: 65537 });
    assert.deepEqual(readFrameHeader(header(0x80, [0x50, 1, 0, 1, 0])), { contentSize: 65537 });
    assert.deepEqual(readFrameHeader(header(0xe0, [1, 0, 0, 0, 0, 0, 0, 0])), { contentSize: 1 });
    assert.match(readFrameHeader(header(0xe0, [0, 0, 0, 0, 1, 0, 0, 0])) as string, /over 4 GiB/);
    assert.match(readFrameHeader(header(0x00, [0x50])) as string, /does not record its content size/);
  });
});

// Keep the type import used where tsc checks the tests' shapes.
export type { BlobCodec };
