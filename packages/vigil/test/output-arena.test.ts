/**
 * Printing's hot path: the arena of BufferedOutput and checksum lines written straight into
 * it must give the same bytes as the plain way, whatever falls across an arena's end.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { AlgorithmName } from '../src/checksums/algorithms.js';
import { formatChecksumLine, type LineShape, type LineStyle, writeChecksumLine } from '../src/checksums/format.js';
import { BufferedOutput } from '../src/report/output.js';

/** Byte-for-byte equality; on a difference, names its first offset (a diff of 300 KB would take minutes). */
function assertSameBytes(actual: Buffer, expected: Buffer): void {
  if (actual.equals(expected)) return;
  let at = 0;
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
  assert.fail(`${actual.length} bytes written, ${expected.length} expected; first difference at byte ${at}`);
}

/** A stream that keeps every chunk it is given, as given. */
function collector(): { stream: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream, bytes: () => Buffer.concat(chunks) };
}

describe('BufferedOutput', () => {
  it('hands the stream exactly what was written, in order, across arena ends, big writes and flushes', async () => {
    const { stream, bytes } = collector();
    const out = new BufferedOutput(stream);
    const expected: Buffer[] = [];
    // Sizes chosen to land on and around the 64 KiB arena's end, one bigger than the arena,
    // small flushes (copied out) and big ones (arena handed over).
    const sizes = [1, 100, 65_000, 535, 1, 70_000, 3, 4096, 4097, 65_536, 2, 30_000, 40_000, 7];
    sizes.forEach((size, i) => {
      const chunk = randomBytes(size);
      if (i % 3 === 0) out.write(chunk);
      else if (i % 3 === 1) {
        const text = 'é'.repeat(Math.ceil(size / 2)); // two UTF-8 bytes a character
        out.write(text);
        expected.push(Buffer.from(text, 'utf8'));
        return;
      } else {
        const at = out.reserve(size);
        chunk.copy(out.arena, at);
      }
      expected.push(chunk);
      if (i % 4 === 3) out.flush();
    });
    await out.end();
    assertSameBytes(bytes(), Buffer.concat(expected));
  });
});

describe('writeChecksumLine', () => {
  it('writes the bytes formatChecksumLine makes, for every style and shape', async () => {
    const names = ['plain', 'sp ace', 'back\\slash', 'new\nline', 'tail\r', '*star', ''].map((n) => Buffer.from(n));
    names.push(Buffer.from([0xff, 0xfe, 0x41])); // not UTF-8
    const shapes: LineShape[] = [{}, { binary: true }, { zero: true }, { noNames: true }, { binary: true, zero: true }];
    const cases: [AlgorithmName, number][] = [
      ['md5', 16],
      ['sha256', 32],
      ['blake3', 32],
      ['sha512', 64],
    ];
    const { stream, bytes } = collector();
    const out = new BufferedOutput(stream);
    const expected: Buffer[] = [];
    // Enough lines to cross several arena ends.
    for (let round = 0; round < 300; round++) {
      for (const [algorithm, digestBytes] of cases) {
        for (const style of ['gnu', 'tag'] as LineStyle[]) {
          for (const shape of shapes) {
            const name = names[round % names.length] as Buffer;
            const digest = randomBytes(digestBytes);
            writeChecksumLine(out, algorithm, style, digest, name, shape);
            expected.push(formatChecksumLine(algorithm, style, digest.toString('hex'), name, shape));
          }
        }
      }
    }
    await out.end();
    assert.ok(Buffer.concat(expected).length > 3 * 64 * 1024, 'the lines cross several arenas');
    assertSameBytes(bytes(), Buffer.concat(expected));
  });
});
