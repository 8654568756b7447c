/**
 * Sparse files (src/repo/data-ranges.ts): the data ranges of a file the test makes sparse
 * (truncate, then writes at offsets), chunking only those, and restoring it by writing only
 * them: same bytes, and the holes are holes again.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nativeAddon } from '../../src/fs/native-addon.js';
import { Chunker, chunkBoundaries } from '../../src/repo/chunker.js';
import { gearTable } from '../../src/repo/chunker-params.js';
import { nativeChunkScan } from '../../src/repo/chunker-scan.js';
import { allocatedBytes, dataRanges, writeSparse } from '../../src/repo/data-ranges.js';
import { suiteDir } from '../helpers.js';
import { randomBytesFrom, seedOf } from './random-bytes.js';

const MiB = 1 << 20;
const CHUNK_WITHOUT_ADDON = fileURLToPath(new URL('./support/chunk-without-addon.ts', import.meta.url));

/** A 64 MiB file with data at 4..6 MiB, 20..23 MiB and its last 1 MiB: the rest are holes. */
function makeSparseFile(path: string): Array<[number, number]> {
  const data: Array<[number, number]> = [
    [4 * MiB, 6 * MiB],
    [20 * MiB, 23 * MiB],
    [63 * MiB, 64 * MiB],
  ];
  const fd = openSync(path, 'w');
  try {
    for (const [start, end] of data)
      writeSync(fd, randomBytesFrom(`range ${start}`, end - start), 0, end - start, start);
  } finally {
    closeSync(fd);
  }
  return data;
}

describe('data ranges of sparse files', () => {
  const at = suiteDir('vigil-sparse-');

  it('finds the data of a sparse file and nothing of its holes', (t) => {
    const path = at('sparse');
    const written = makeSparseFile(path);
    assert.equal(statSync(path).size, 64 * MiB);
    const fd = openSync(path, 'r');
    try {
      assert.ok(nativeAddon(), 'the native addon is built');
      const ranges = dataRanges(fd, 64 * MiB);
      if (allocatedBytes(fd) >= 64 * MiB) {
        // A file system without holes (it filled them): then it reports one range of data.
        t.diagnostic('this file system does not keep holes');
        assert.deepEqual(ranges, [[0, 64 * MiB]]);
      } else {
        assert.deepEqual(ranges, written);
      }
      // Small holes are merged into the data around them.
      assert.deepEqual(dataRanges(fd, 64 * MiB, 16 * MiB), [
        [4 * MiB, 23 * MiB],
        [63 * MiB, 64 * MiB],
      ]);
      // A size taken before the file grew bounds the ranges.
      assert.deepEqual(dataRanges(fd, 21 * MiB), [
        [4 * MiB, 6 * MiB],
        [20 * MiB, 21 * MiB],
      ]);
    } finally {
      closeSync(fd);
    }
  });

  it('an empty file has no data range', () => {
    const path = at('empty');
    closeSync(openSync(path, 'w'));
    const fd = openSync(path, 'r');
    try {
      assert.deepEqual(dataRanges(fd, 0), []);
    } finally {
      closeSync(fd);
    }
  });

  it('chunks only the data ranges, and restores the file with its holes by writing only them', () => {
    const source = at('source');
    const written = makeSparseFile(source);
    const bytes = readFileSync(source);
    const fd = openSync(source, 'r');
    const ranges = dataRanges(fd, bytes.length);
    const sourceAllocated = allocatedBytes(fd);
    closeSync(fd);
    const gear = gearTable(seedOf('sparse'));
    const stored: Array<{ offset: number; bytes: Buffer }> = [];
    const keep = (c: { offset: number; bytes: Buffer }) =>
      stored.push({ offset: c.offset, bytes: Buffer.from(c.bytes) });
    for (const [start, end] of ranges) {
      const chunker = new Chunker(gear, { startOffset: start });
      for (const c of chunker.push(bytes.subarray(start, end))) keep(c);
      for (const c of chunker.finish()) keep(c);
    }
    const storedBytes = stored.reduce((sum, c) => sum + c.bytes.length, 0);
    const dataBytes = written.reduce((sum, [start, end]) => sum + end - start, 0);
    if (sourceAllocated < 64 * MiB) assert.equal(storedBytes, dataBytes);

    const target = at('restored');
    const out = openSync(target, 'w');
    try {
      writeSparse(out, bytes.length, stored);
      assert.ok(readFileSync(target).equals(bytes), 'the restored file has the same bytes');
      if (sourceAllocated < 64 * MiB) {
        assert.ok(allocatedBytes(out) < 8 * MiB, `${allocatedBytes(out)} bytes allocated for ${dataBytes} of data`);
        assert.deepEqual(dataRanges(out, bytes.length), written);
      }
    } finally {
      closeSync(out);
    }
  });

  it('without the addon: the whole file is one data range, and chunks fall in the same places', () => {
    const path = at('fallback');
    makeSparseFile(path);
    const out = execFileSync(process.execPath, [CHUNK_WITHOUT_ADDON, path, String(64 * MiB)], {
      env: { ...process.env, VIGIL_NATIVE: '0' },
      encoding: 'utf8',
    });
    const { native, ranges, boundaries } = JSON.parse(out);
    assert.equal(native, false);
    assert.deepEqual(ranges, [[0, 64 * MiB]]);
    assert.ok(nativeChunkScan(), 'the addon has chunkScan here');
    assert.deepEqual(boundaries, chunkBoundaries(gearTable(seedOf('fallback')), randomBytesFrom('fallback', 16 * MiB)));
  });

  it('refuses to write a piece outside the file', () => {
    const fd = openSync(at('bounded'), 'w');
    try {
      assert.throws(() => writeSparse(fd, 10, [{ offset: 8, bytes: Buffer.alloc(4) }]), /outside the file's 10 bytes/);
    } finally {
      closeSync(fd);
    }
  });
});
