/**
 * The native batch reader (native/read_files.c), called directly: every outcome, the arena
 * filling up, the cursor, the test hook, and bad arguments. The command-level behaviour of
 * both readers is in edge-cases.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  constants,
  linkSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodePaths, FileStatus, PathFlag } from '../src/scan/batch-protocol.js';
import tasks, { ALONE_ABOVE_BYTES, BATCH_BYTE_BUDGET } from '../src/scan/hash-tasks.js';
import {
  type NativeReader,
  nativeReader,
  nativeReaderProblem,
  RECORD_SLOTS,
  ReadKind,
  STAT_SLOTS,
  StatSlot,
} from '../src/scan/native-reader.js';
import { tempDir } from './helpers.js';

interface Call {
  readonly records: Float64Array;
  readonly cursor: Uint32Array;
  readonly arena: Buffer;
  /** The record of path i, as [kind, slot 1, slot 2, slot 3]. */
  readonly record: (i: number) => number[];
}

describe('native batch reader', () => {
  let dir: { path: string; cleanup: () => void };
  let reader: NativeReader;
  const at = (...names: string[]) => join(dir.path, ...names);

  before(() => {
    dir = tempDir();
    // Built by `npm install` (node-gyp); CI must run the native path, so a missing build fails here.
    assert.equal(nativeReaderProblem(), undefined);
    reader = nativeReader()!;
  });
  after(() => dir.cleanup());

  function read(
    names: readonly string[],
    options: { flags?: number[]; arenaBytes?: number; deferAbove?: number; afterRead?: (index: number) => void } = {},
  ): Call {
    const paths = encodePaths(names.map((name) => Buffer.from(at(name))));
    const flags = Uint8Array.from(options.flags ?? names.map(() => 0));
    const cursor = new Uint32Array(2);
    const arena = Buffer.alloc(options.arenaBytes ?? 1 << 16);
    const records = new Float64Array(names.length * RECORD_SLOTS).fill(-1);
    reader.readFiles(paths, flags, cursor, arena, records, options.deferAbove ?? Infinity, options.afterRead);
    return {
      records,
      cursor,
      arena,
      record: (i) => Array.from(records.subarray(i * RECORD_SLOTS, (i + 1) * RECORD_SLOTS)),
    };
  }

  it('reads regular files back to back into the arena and moves the cursor past them all', () => {
    writeFileSync(at('one'), 'first file\n');
    writeFileSync(at('two'), 'second\n');
    writeFileSync(at('empty'), '');
    const call = read(['one', 'two', 'empty']);
    assert.deepEqual(Array.from(call.cursor), [
      3,
      encodePaths(['one', 'two', 'empty'].map((n) => Buffer.from(at(n)))).length,
    ]);
    assert.deepEqual(call.record(0).slice(0, 3), [ReadKind.read, 0, 11]);
    assert.deepEqual(call.record(1).slice(0, 3), [ReadKind.read, 11, 7]);
    assert.deepEqual(call.record(2).slice(0, 3), [ReadKind.read, 18, 0]);
    assert.equal(call.arena.subarray(0, 18).toString(), 'first file\nsecond\n');
  });

  it('gives the fstat of each file read, in nanoseconds, when asked (what a backup records)', () => {
    writeFileSync(at('stat-me'), 'twelve bytes', { mode: 0o640 });
    utimesSync(at('stat-me'), 1_000_000_000, 1_000_000_000.123456);
    const paths = encodePaths([Buffer.from(at('stat-me'))]);
    const stats = new BigInt64Array(STAT_SLOTS);
    const records = new Float64Array(RECORD_SLOTS);
    reader.readFiles(
      paths,
      new Uint8Array(1),
      new Uint32Array(2),
      Buffer.alloc(64),
      records,
      Infinity,
      undefined,
      stats,
    );
    assert.equal(records[0], ReadKind.read);
    const expected = statSync(at('stat-me'), { bigint: true });
    assert.equal(stats[StatSlot.mode], expected.mode);
    assert.equal(stats[StatSlot.size], 12n);
    assert.equal(stats[StatSlot.mtimeNs], expected.mtimeNs);
    assert.equal(stats[StatSlot.ctimeNs], expected.ctimeNs);
    assert.equal(BigInt.asUintN(64, stats[StatSlot.ino]!), expected.ino);
    assert.throws(
      () =>
        reader.readFiles(paths, new Uint8Array(1), new Uint32Array(2), Buffer.alloc(64), records, 1, undefined, {
          length: 5,
        } as unknown as BigInt64Array),
      /stats must be a BigInt64Array/,
    );
  });

  it('reports errno for a missing file and does not follow a symlink unless asked', () => {
    writeFileSync(at('target'), 'target\n');
    symlinkSync('target', at('link'));
    const call = read(['missing', 'link', 'link'], { flags: [0, 0, PathFlag.follow] });
    assert.deepEqual(call.record(0).slice(0, 2), [ReadKind.failed, osConstants.errno.ENOENT]);
    assert.deepEqual(
      call.record(1).slice(0, 2),
      [ReadKind.failed, osConstants.errno.ELOOP] /* O_NOFOLLOW met a link */,
    );
    assert.deepEqual(call.record(2).slice(0, 3), [ReadKind.read, 0, 7]);
  });

  it('hands back FIFOs and directories unread, with their mode', () => {
    execFileSync('mkfifo', [at('fifo')]);
    const call = read(['fifo', 'fifo', '.'], { flags: [0, PathFlag.follow, PathFlag.follow] });
    for (const i of [0, 1]) {
      assert.equal(call.record(i)[0], ReadKind.notRegular);
      assert.equal(call.record(i)[1]! & constants.S_IFMT, constants.S_IFIFO);
    }
    assert.equal(call.record(2)[1]! & constants.S_IFMT, constants.S_IFDIR);
  });

  it('hands back a hard-linked file with its dev, ino and nlink unless told to read it', () => {
    writeFileSync(at('h1'), 'linked\n');
    linkSync(at('h1'), at('h2'));
    const stats = statSync(at('h1'));
    const call = read(['h1', 'h2'], { flags: [0, PathFlag.readLinked] });
    assert.deepEqual(call.record(0), [ReadKind.linked, stats.dev, stats.ino, 2]);
    assert.deepEqual(call.record(1).slice(0, 3), [ReadKind.read, 0, 7]);
  });

  it('hands back files above deferAbove (TOO_BIG) and above the arena (LARGE, with their path)', () => {
    writeFileSync(at('ten'), '0123456789');
    writeFileSync(at('small'), 'ab');
    const call = read(['small', 'ten', 'ten'], { deferAbove: 9 });
    assert.deepEqual(call.record(1).slice(0, 1).concat(call.record(1)[2]!), [ReadKind.tooBig, 10]);
    const paths = encodePaths(['small', 'ten'].map((n) => Buffer.from(at(n))));
    const large = read(['small', 'ten', 'small'], { arenaBytes: 8 });
    assert.equal(large.cursor[0], 2, 'the call ends right after a LARGE file');
    assert.deepEqual(large.record(1).slice(0, 3), [ReadKind.large, Buffer.from(at('small')).length + 1, 10]);
    assert.equal(Buffer.from(paths.subarray(large.record(1)[1]!, paths.length - 1)).toString(), at('ten'));
  });

  it('stops before a file that does not fit what is left of the arena, and goes on from there', () => {
    writeFileSync(at('six-a'), 'aaaaaa');
    writeFileSync(at('six-b'), 'bbbbbb');
    const names = ['six-a', 'six-b'];
    const paths = encodePaths(names.map((n) => Buffer.from(at(n))));
    const flags = new Uint8Array(2);
    const cursor = new Uint32Array(2);
    const arena = Buffer.alloc(10);
    const records = new Float64Array(2 * RECORD_SLOTS);
    reader.readFiles(paths, flags, cursor, arena, records, Infinity);
    assert.deepEqual(Array.from(cursor), [1, Buffer.from(at('six-a')).length + 1]);
    assert.equal(arena.subarray(0, 6).toString(), 'aaaaaa');
    reader.readFiles(paths, flags, cursor, arena, records, Infinity);
    assert.deepEqual(Array.from(cursor), [2, paths.length]);
    assert.deepEqual(Array.from(records.subarray(RECORD_SLOTS, RECORD_SLOTS + 3)), [ReadKind.read, 0, 6]);
    assert.equal(arena.subarray(0, 6).toString(), 'bbbbbb');
  });

  it('reports a file that grew between its read and its second fstat as CHANGED', () => {
    writeFileSync(at('grows'), 'before\n');
    writeFileSync(at('quiet'), 'quiet\n');
    const seen: number[] = [];
    const call = read(['grows', 'quiet'], {
      afterRead: (index) => {
        seen.push(index);
        if (index === 0) appendFileSync(at('grows'), 'more');
      },
    });
    assert.deepEqual(seen, [0, 1]);
    assert.equal(call.record(0)[0], ReadKind.changed);
    assert.deepEqual(call.record(1).slice(0, 3), [ReadKind.read, 0, 6]); // a changed file gives its arena space back
  });

  it('passes an exception from the hook through, leaving no descriptor open', () => {
    writeFileSync(at('hooked'), 'x');
    const openBefore = readdirSync('/proc/self/fd').length;
    assert.throws(
      () =>
        read(['hooked'], {
          afterRead: () => {
            throw new Error('hook failed');
          },
        }),
      /hook failed/,
    );
    assert.equal(readdirSync('/proc/self/fd').length, openBefore);
  });

  it('hashFiles hashes with OpenSSL as node:crypto does, streaming files bigger than the arena', () => {
    writeFileSync(at('h-empty'), '');
    writeFileSync(at('h-small'), 'small\n');
    writeFileSync(at('h-big'), Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251)));
    const names = ['h-empty', 'h-small', 'h-big', 'missing', 'h-big'];
    const paths = encodePaths(names.map((n) => Buffer.from(at(n))));
    for (const [algorithm, openssl, bytes] of [
      ['sha256', 'SHA256', 32],
      ['sha512', 'SHA512', 64],
      ['sha1', 'SHA1', 20],
      ['md5', 'MD5', 16],
    ] as const) {
      const records = new Float64Array(names.length * RECORD_SLOTS);
      const digests = new Uint8Array(names.length * bytes);
      const cursor = new Uint32Array(2);
      // deferAbove 4999: the 5000-byte file is handed back (TOO_BIG); the call below, without
      // that limit, streams it through the 64-byte arena in 79 reads.
      reader.hashFiles(
        paths,
        new Uint8Array(names.length),
        cursor,
        Buffer.alloc(64),
        records,
        4999,
        undefined,
        openssl,
        digests,
        Infinity,
      );
      assert.deepEqual(Array.from(cursor), [names.length, paths.length]);
      for (const [i, size] of [
        [0, 0],
        [1, 6],
      ] as const) {
        assert.deepEqual([records[i * RECORD_SLOTS], records[i * RECORD_SLOTS + 2]], [ReadKind.read, size]);
        const expected = createHash(algorithm)
          .update(readFileSync(at(names[i]!)))
          .digest('hex');
        assert.equal(Buffer.from(digests.subarray(i * bytes, (i + 1) * bytes)).toString('hex'), expected, algorithm);
      }
      assert.equal(records[2 * RECORD_SLOTS], ReadKind.tooBig);
      assert.deepEqual(Array.from(records.subarray(3 * RECORD_SLOTS, 3 * RECORD_SLOTS + 2)), [
        ReadKind.failed,
        osConstants.errno.ENOENT,
      ]);
      const whole = new Float64Array(names.length * RECORD_SLOTS);
      const alone = new Uint8Array(names.length * bytes);
      reader.hashFiles(
        paths,
        new Uint8Array(names.length),
        new Uint32Array(2),
        Buffer.alloc(64),
        whole,
        Infinity,
        undefined,
        openssl,
        alone,
        Infinity,
      );
      assert.deepEqual([whole[2 * RECORD_SLOTS], whole[2 * RECORD_SLOTS + 2]], [ReadKind.read, 5000]);
      assert.equal(
        Buffer.from(alone.subarray(2 * bytes, 3 * bytes)).toString('hex'),
        createHash(algorithm)
          .update(readFileSync(at('h-big')))
          .digest('hex'),
      );
    }
  });

  it('hashFiles reports a file that grew while it was hashed as CHANGED, and refuses bad arguments', () => {
    writeFileSync(at('h-grows'), 'before\n');
    const paths = encodePaths([Buffer.from(at('h-grows'))]);
    const records = new Float64Array(RECORD_SLOTS);
    const hash = (algorithm: string, digests: Uint8Array, afterRead?: (index: number) => void) =>
      reader.hashFiles(
        paths,
        new Uint8Array(1),
        new Uint32Array(2),
        Buffer.alloc(64),
        records,
        Infinity,
        afterRead,
        algorithm,
        digests,
        Infinity,
      );
    hash('SHA256', new Uint8Array(32), () => appendFileSync(at('h-grows'), 'more'));
    assert.equal(records[0], ReadKind.changed);
    assert.throws(() => hash('NO-SUCH-DIGEST', new Uint8Array(32)), /unknown algorithm/);
    assert.throws(() => hash('SHA512', new Uint8Array(32)), /digests too short/);
  });

  it('hashFiles stops starting files once it has hashed its byte budget, and says where', () => {
    writeFileSync(at('b-1'), 'a');
    writeFileSync(at('b-2'), 'bb');
    writeFileSync(at('b-3'), 'ccc');
    const names = ['b-1', 'b-2', 'b-3'];
    const paths = encodePaths(names.map((n) => Buffer.from(at(n))));
    const cursor = new Uint32Array(2);
    const records = new Float64Array(names.length * RECORD_SLOTS).fill(-1);
    const hashWith = (budget: number) =>
      reader.hashFiles(
        paths,
        new Uint8Array(3),
        cursor,
        Buffer.alloc(8),
        records,
        Infinity,
        undefined,
        'MD5',
        new Uint8Array(48),
        budget,
      );
    hashWith(3);
    assert.deepEqual(Array.from(cursor), [2, encodePaths(names.slice(0, 2).map((n) => Buffer.from(at(n)))).length]);
    assert.equal(records[2 * RECORD_SLOTS], -1, 'the third file is not touched');
    hashWith(3);
    assert.deepEqual(Array.from(cursor), [3, paths.length]);
    assert.deepEqual([records[2 * RECORD_SLOTS], records[2 * RECORD_SLOTS + 2]], [ReadKind.read, 3]);
  });

  it('a hashing batch keeps its byte budget and hands back a big file, with both native paths', async () => {
    // Sparse files: 7 MiB each, under ALONE_ABOVE_BYTES; five of them pass the 32 MiB budget.
    const seven = 7 * 1024 * 1024;
    assert.ok(seven < ALONE_ABOVE_BYTES && 5 * seven >= BATCH_BYTE_BUDGET && 4 * seven < BATCH_BYTE_BUDGET);
    const names = ['s-1', 's-2', 's-3', 's-4', 's-big', 's-5', 's-6'];
    for (const name of names) writeFileSync(at(name), '');
    for (const name of names) truncateSync(at(name), name === 's-big' ? ALONE_ABOVE_BYTES + 1 : seven);
    const paths = encodePaths(names.map((n) => Buffer.from(at(n))));
    const zeros = createHash('sha256').update(Buffer.alloc(seven)).digest('hex');
    for (const algorithm of ['blake3', 'sha256'] as const) {
      const result = await tasks.hashBatch({ algorithm, paths, flags: new Uint8Array(names.length) });
      const { hashed, sendAlone, sendLater } = FileStatus;
      assert.deepEqual(Array.from(result.status), [hashed, hashed, hashed, hashed, sendAlone, hashed, sendLater]);
      assert.deepEqual(Array.from(result.sizes.subarray(0, 4)), [seven, seven, seven, seven]);
      if (algorithm === 'sha256') assert.equal(Buffer.from(result.digests.subarray(0, 32)).toString('hex'), zeros);
    }
  });

  it('refuses wrong arguments with a TypeError instead of reading out of bounds', () => {
    const paths = encodePaths([Buffer.from(at('one'))]);
    const cursor = new Uint32Array(2);
    const arena = Buffer.alloc(16);
    const bad = reader as unknown as { readFiles: (...args: unknown[]) => void };
    assert.throws(() => bad.readFiles(paths, new Uint8Array(1), cursor, arena), TypeError);
    assert.throws(() => bad.readFiles('paths', new Uint8Array(1), cursor, arena, new Float64Array(4), 1), TypeError);
    assert.throws(
      () => bad.readFiles(paths, new Uint8Array(1), cursor, arena, new Float64Array(2), 1),
      /records too short/,
    );
    assert.throws(
      () => bad.readFiles(paths, new Uint8Array(2), cursor, arena, new Float64Array(8), 1),
      /fewer NUL-terminated paths than flags/,
    );
  });
});
