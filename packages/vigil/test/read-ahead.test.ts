/**
 * Read-ahead over a remote file (read-ahead.ts): reads in a row are served from a window
 * fetched ahead, which grows while they stay sequential; reads that jump fetch exactly what
 * they ask until a file is jumped around in often, then the blocks around them; every read
 * returns the file's bytes, and a read past the end still fails.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { keptBlockCount, withReadAhead } from '../src/storage/read-ahead.js';
import type { RangeReader } from '../src/storage/storage.js';

/** A file in memory that counts the requests made of it and the bytes they fetched. */
function countedFile(bytes: Buffer): RangeReader & { requests: number; fetched: number } {
  const file = {
    size: bytes.length,
    requests: 0,
    fetched: 0,
    async read(offset: number, length: number) {
      file.requests++;
      if (offset + length > bytes.length) throw new Error(`ends early at ${offset}+${length}`);
      file.fetched += length;
      return Buffer.from(bytes.subarray(offset, offset + length));
    },
    async close() {},
  };
  return file;
}

describe('read-ahead', () => {
  const content = randomBytes(8 * 1024 * 1024);

  it('serves sequential reads from windows that grow: a few requests for thousands of reads', async () => {
    const file = countedFile(content);
    const reader = withReadAhead(file);
    let at = 0;
    let reads = 0;
    while (at < content.length) {
      // Blob-sized reads with the odd small gap (a blob skipped).
      const length = Math.min(700 + (reads % 5) * 300, content.length - at);
      assert.deepEqual(await reader.read(at, length), content.subarray(at, at + length));
      at += length + (reads % 7 === 0 ? 64 : 0);
      reads++;
    }
    assert.ok(reads > 5000, `${reads}`);
    assert.ok(file.requests < 20, `${file.requests} requests for ${reads} reads`);
    // A read that straddles a window's end fetches its bytes again with the next window: little.
    assert.ok(file.fetched < content.length * 1.01, `${file.fetched} bytes fetched`);
  });

  it('the first reads that jump fetch exactly what they ask; later jumps fetch blocks, kept for the reads near them', async () => {
    const file = countedFile(content);
    const reader = withReadAhead(file);
    const read = async (offset: number, length = 1000) =>
      assert.deepEqual(await reader.read(offset, length), content.subarray(offset, offset + length));
    for (const offset of [5_000_000, 10, 3_000_000]) await read(offset);
    assert.equal(file.requests, 3);
    assert.equal(file.fetched, 3000);
    // A tree here, a tree there, in the same region: the blocks fetched serve the later reads.
    for (const offset of [7_000_000, 6_000_000, 7_005_000, 6_010_000, 7_001_000, 6_020_000]) await read(offset);
    assert.equal(file.requests, 5);
    // Across a block boundary: both blocks, one request.
    await read(2 * 1024 * 1024 - 500);
    assert.equal(file.requests, 6);
    await read(2 * 1024 * 1024 + 1000);
    assert.equal(file.requests, 6);
  });

  it('keeps the blocks of a file jumped all over (a tree pack read 16 trees at once), and drops them at close', async () => {
    const file = countedFile(content.subarray(0, 4 * 1024 * 1024));
    const reader = withReadAhead(file);
    const before = keptBlockCount();
    // 400 small reads spread over 4 MiB in a scattered order, 16 at a time, then all again.
    const offsets = Array.from({ length: 400 }, (_, i) => ((i * 7919) % 400) * 10_000 + 17);
    for (let round = 0; round < 2; round++) {
      for (let at = 0; at < offsets.length; at += 16) {
        await Promise.all(
          offsets.slice(at, at + 16).map(async (offset) => {
            assert.deepEqual(await reader.read(offset, 3000), content.subarray(offset, offset + 3000));
          }),
        );
      }
    }
    // 64 blocks of 64 KiB cover the file: each fetched once (a block two reads need at once is one
    // request), the first three jumps exact; eight kept blocks per file made 400 requests a round.
    assert.ok(file.requests <= 3 + 64 + 4, `${file.requests} requests`);
    assert.ok(keptBlockCount() - before >= 60, 'the blocks stay while the file is open');
    await reader.close();
    assert.equal(keptBlockCount(), before, 'closing the file drops its blocks');
  });

  it('a window ends at the end of the file, and a read past it fails as the file would', async () => {
    const file = countedFile(content);
    const reader = withReadAhead(file);
    const end = content.length;
    await reader.read(end - 3000, 1000);
    await reader.read(end - 2000, 1000);
    assert.deepEqual(await reader.read(end - 1000, 1000), content.subarray(end - 1000));
    await assert.rejects(reader.read(end - 10, 20), /ends early/);
  });

  it('what a read returns is the caller’s: changing it leaves the window alone', async () => {
    const reader = withReadAhead(countedFile(content));
    await reader.read(0, 100);
    const second = await reader.read(100, 100);
    second.fill(0);
    assert.deepEqual(await reader.read(100, 100), content.subarray(100, 200));
  });
});
