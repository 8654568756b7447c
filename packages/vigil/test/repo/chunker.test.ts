/**
 * Content-defined chunking (src/repo/chunker*.ts): the native and JavaScript loops cut at the
 * same places whatever the piece sizes, chunks respect the minimum and maximum, an insertion
 * in the middle of a big file changes only the chunks around it, the seed matters, and the
 * edge cases (empty, smaller than the minimum) give no chunk and one chunk.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { Chunker, chunkBoundaries } from '../../src/repo/chunker.js';
import { DEFAULT_CHUNKER_PARAMS, gearTable } from '../../src/repo/chunker-params.js';
import { chunkScanJs, nativeChunkScan } from '../../src/repo/chunker-scan.js';
import { randomBytesFrom, seedOf } from './random-bytes.js';

const MiB = 1 << 20;
const { minSize, maxSize } = DEFAULT_CHUNKER_PARAMS;
const gear = gearTable(seedOf('chunker test'));

function nativeScan() {
  const scan = nativeChunkScan();
  assert.ok(scan, 'the native addon has chunkScan (rebuild it: npm run build:native)');
  return scan;
}

/** Each chunk's SHA-256, for comparing two files' chunks by content. */
function chunkDigests(data: Buffer): string[] {
  const chunker = new Chunker(gear);
  const out: string[] = [];
  const take = (c: { bytes: Buffer }) => out.push(createHash('sha256').update(c.bytes).digest('hex'));
  for (let at = 0; at < data.length; at += MiB) for (const c of chunker.push(data.subarray(at, at + MiB))) take(c);
  for (const c of chunker.finish()) take(c);
  return out;
}

describe('chunker', () => {
  const data = randomBytesFrom('chunker data', 48 * MiB);

  it('cuts at the same places in C and JavaScript, whatever the piece sizes', () => {
    const native = chunkBoundaries(gear, data, { scan: nativeScan(), pieceSize: MiB });
    const js = chunkBoundaries(gear, data, { scan: chunkScanJs, pieceSize: 333_333 });
    const nativeOdd = chunkBoundaries(gear, data, { scan: nativeScan(), pieceSize: 4093 * 17 });
    assert.ok(native.length > 20, `${native.length} chunks of 48 MiB`);
    assert.deepEqual(js, native);
    assert.deepEqual(nativeOdd, native);
  });

  it('gives chunks that tile the input and hold its bytes', () => {
    const chunker = new Chunker(gear);
    let expected = 0;
    const check = (c: { offset: number; length: number; bytes: Buffer }) => {
      assert.equal(c.offset, expected);
      assert.equal(c.bytes.length, c.length);
      assert.ok(c.bytes.equals(data.subarray(c.offset, c.offset + c.length)), `chunk at ${c.offset}`);
      expected += c.length;
    };
    for (let at = 0; at < data.length; at += MiB) for (const c of chunker.push(data.subarray(at, at + MiB))) check(c);
    for (const c of chunker.finish()) check(c);
    assert.equal(expected, data.length);
  });

  it('respects the minimum and maximum sizes', () => {
    const chunks = chunkBoundaries(gear, data);
    for (const [offset, length] of chunks.slice(0, -1)) {
      assert.ok(length >= minSize && length <= maxSize, `chunk at ${offset}: ${length} bytes`);
    }
    // Zeros never make the hash's top bits zero with this seed: every chunk ends at the maximum.
    const zeros = Buffer.alloc(20 * MiB);
    for (const scan of [nativeScan(), chunkScanJs]) {
      assert.deepEqual(chunkBoundaries(gear, zeros, { scan }), [
        [0, 8 * MiB],
        [8 * MiB, 8 * MiB],
        [16 * MiB, 4 * MiB],
      ]);
    }
  });

  it('changes only the chunks around an insertion in the middle of a 64 MiB file', (t) => {
    const original = randomBytesFrom('insertion', 64 * MiB);
    const middle = 32 * MiB + 12_345;
    const edited = Buffer.concat([original.subarray(0, middle), Buffer.from('INSERTED'), original.subarray(middle)]);
    const before = chunkDigests(original);
    const after = chunkDigests(edited);
    const old = new Set(before);
    const added = after.filter((d) => !old.has(d));
    const kept = after.filter((d) => old.has(d));
    t.diagnostic(`${before.length} chunks before, ${after.length} after, ${added.length} new`);
    assert.ok(before.length >= 40, `${before.length} chunks`);
    assert.ok(added.length >= 1 && added.length <= 2, `${added.length} new chunks of ${after.length}`);
    assert.equal(kept.length, after.length - added.length);
    assert.ok(kept.length >= before.length - 2, `${kept.length} of ${before.length} chunks kept`);
  });

  it('cuts elsewhere under another seed', () => {
    const a = chunkBoundaries(gear, data);
    const b = chunkBoundaries(gearTable(seedOf('another repository')), data);
    const cutsA = new Set(a.map(([o, l]) => o + l));
    const shared = b.filter(([o, l]) => cutsA.has(o + l)).length;
    // Only the end of the data is a cut of both.
    assert.equal(shared, 1, `${shared} cuts in common`);
  });

  it('makes no chunk of nothing and one chunk of less than the minimum', () => {
    for (const scan of [nativeScan(), chunkScanJs]) {
      assert.deepEqual(chunkBoundaries(gear, Buffer.alloc(0), { scan }), []);
      assert.deepEqual(chunkBoundaries(gear, data.subarray(0, minSize - 1), { scan }), [[0, minSize - 1]]);
      assert.deepEqual(chunkBoundaries(gear, data.subarray(0, 100), { scan, pieceSize: 7 }), [[0, 100]]);
    }
  });

  it('starts over at the offset given to finish (the next data range)', () => {
    const chunker = new Chunker(gear, { startOffset: 4096 });
    const first = [...chunker.push(data.subarray(0, 1000)), ...chunker.finish(10 * MiB)].map((c) => [
      c.offset,
      c.length,
    ]);
    const second = [...chunker.push(data.subarray(0, 10)), ...chunker.finish()].map((c) => [c.offset, c.length]);
    assert.deepEqual(first, [[4096, 1000]]);
    assert.deepEqual(second, [[10 * MiB, 10]]);
  });

  it('refuses a seed of the wrong length and impossible parameters', () => {
    assert.throws(() => gearTable(Buffer.alloc(16)), /32 bytes, not 16/);
    assert.throws(() => new Chunker(gear, { params: { ...DEFAULT_CHUNKER_PARAMS, minSize: 10 } }), TypeError);
    assert.throws(
      () => nativeScan()(gear, new Uint32Array(2), Buffer.alloc(1), 0, 10, 20, 30, 22, 18),
      /chunkScan\(gear/,
    );
  });
});
