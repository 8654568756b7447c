/**
 * The file-system layer's readers (src/fs/reader.ts), called directly: both implementations
 * (the native addon's and the JavaScript fallback) must give the same records for the same
 * files: every outcome, the arena filling up, the cursor, changed while read, and paths
 * beneath a root whose parent was swapped for a symlink. Then the addon's argument checks.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { ALONE_ABOVE_BYTES, BATCH_BYTE_BUDGET } from '../src/fs/batch-reads.js';
import { FileListBuilder } from '../src/fs/file-list.js';
import { BLAKE3_IN_READER, type FileReader } from '../src/fs/file-reader.js';
import { JsReader } from '../src/fs/js-reader.js';
import { type NativeAddon, nativeAddon, nativeAddonProblem } from '../src/fs/native-addon.js';
import { NativeReader } from '../src/fs/reader.js';
import { PathFlag, RECORD_SLOTS, ReadKind, STAT_SLOTS, statAt } from '../src/fs/records.js';
import { FileStatus } from '../src/scan/batch-protocol.js';
import { hashBatchWith } from '../src/scan/hash-tasks.js';
import { tempDir } from './helpers.js';
import { observedOps } from './support/observed-reader.mjs';

const require = createRequire(import.meta.url);
const { ENOENT, ELOOP } = osConstants.errno;

// Built by `npm run build` (node-gyp); CI must run the native path, so a missing build fails here.
assert.equal(nativeAddonProblem(), undefined);
// CI's machines have BLAKE3's C sources (scripts/install-system-deps.sh), so the addon has it built in.
assert.ok(
  nativeAddon()?.blake3,
  'the addon was built without BLAKE3: run scripts/install-system-deps.sh (librust-blake3-dev), then rebuild it: ' +
    'rm -r packages/vigil/build packages/vigil/test/native/build && npm run build',
);
const observedAddon = (): NativeAddon => require('./native/build/Release/vigil_native_observed.node');
/** The addon as built where BLAKE3's C sources are missing: hashFiles takes OpenSSL's names only. */
const withoutBlake3 = (addon: NativeAddon): NativeAddon => ({ ...addon, blake3: undefined });
/** skipsHoles: hashFiles hashes a sparse file's holes as zeros without reading them (the native reader's lseek SEEK_DATA). */
const READERS: {
  name: string;
  plain: () => FileReader;
  observed: () => FileReader;
  blake3: boolean;
  skipsHoles: boolean;
}[] = [
  {
    name: 'native',
    plain: () => new NativeReader(nativeAddon()!),
    observed: () => new NativeReader(observedAddon()),
    blake3: true,
    skipsHoles: true,
  },
  {
    name: 'native (without BLAKE3)',
    plain: () => new NativeReader(withoutBlake3(nativeAddon()!)),
    observed: () => new NativeReader(withoutBlake3(observedAddon())),
    blake3: false,
    skipsHoles: true,
  },
  {
    name: 'JavaScript',
    plain: () => new JsReader(),
    observed: () => new JsReader(observedOps()),
    blake3: false,
    skipsHoles: false,
  },
];

for (const { name, plain, observed, blake3, skipsHoles } of READERS)
  describe(`${name} reader`, () => {
    let dir: { path: string; cleanup: () => void };
    const reader = plain();
    const at = (...names: string[]) => join(dir.path, ...names);
    before(() => {
      dir = tempDir();
    });
    after(() => dir.cleanup());

    /** One call over names relative to the temp dir (the root), with the given flags. */
    function call(
      method: 'readFiles' | 'statFiles',
      names: readonly string[],
      options: { flags?: number[]; arenaBytes?: number; deferAbove?: number; with?: FileReader } = {},
    ) {
      const list = new FileListBuilder();
      const root = Buffer.from(`${dir.path}/`);
      names.forEach((n, i) => {
        list.add(Buffer.from(at(n)), options.flags?.[i] ?? 0, root.length);
      });
      const built = list.build();
      const cursor = new Uint32Array(2);
      const arena = Buffer.alloc(options.arenaBytes ?? 1 << 16);
      const records = new Float64Array(names.length * RECORD_SLOTS).fill(-1);
      const stats = new BigInt64Array(names.length * STAT_SLOTS);
      const target = options.with ?? reader;
      const buffers = { cursor, arena, records, stats };
      if (method === 'readFiles') target.readFiles(built, buffers, options.deferAbove ?? Infinity);
      else target.statFiles(built, buffers);
      const record = (i: number) => Array.from(records.subarray(i * RECORD_SLOTS, (i + 1) * RECORD_SLOTS));
      return { built, cursor, arena, record, stat: (i: number) => statAt(stats, i) };
    }

    it('reads regular files back to back into the arena, with their fstat, and moves the cursor past them', () => {
      writeFileSync(at('one'), 'first file\n', { mode: 0o640 });
      writeFileSync(at('two'), 'second\n');
      writeFileSync(at('empty'), '');
      utimesSync(at('one'), 1_000_000_000, 1_000_000_000.123456);
      const r = call('readFiles', ['one', 'two', 'empty']);
      assert.deepEqual(Array.from(r.cursor), [3, r.built.paths.length]);
      assert.deepEqual(r.record(0).slice(0, 3), [ReadKind.read, 0, 11]);
      assert.deepEqual(r.record(1).slice(0, 3), [ReadKind.read, 11, 7]);
      assert.deepEqual(r.record(2).slice(0, 3), [ReadKind.read, 18, 0]);
      assert.equal(r.arena.subarray(0, 18).toString(), 'first file\nsecond\n');
      const expected = statSync(at('one'), { bigint: true });
      const got = r.stat(0);
      assert.deepEqual(
        [got.mode, got.size, got.mtimeNs, got.ctimeNs, got.ino, got.nlink],
        [Number(expected.mode), 11, expected.mtimeNs, expected.ctimeNs, expected.ino, 1],
      );
    });

    it('reads without moving the atime (O_NOATIME), by name and through a followed path', () => {
      // atime before mtime: on a relatime mount (as /tmp here) a read without O_NOATIME moves it.
      writeFileSync(at('quiet-a'), 'read me\n');
      writeFileSync(at('quiet-b'), 'and me\n');
      for (const n of ['quiet-a', 'quiet-b']) utimesSync(at(n), 1_000_000_000, 2_000_000_000);
      const r = call('readFiles', ['quiet-a', 'quiet-b'], { flags: [0, PathFlag.follow] });
      assert.deepEqual([r.record(0)[0], r.record(1)[0]], [ReadKind.read, ReadKind.read]);
      for (const n of ['quiet-a', 'quiet-b']) assert.equal(statSync(at(n)).atimeMs, 1_000_000_000_000, n);
    });

    it('reports errno for a missing file, does not follow a symlink unless asked, and hands back non-files', () => {
      writeFileSync(at('target'), 'target\n');
      symlinkSync('target', at('link'));
      execFileSync('mkfifo', [at('fifo')]);
      const { follow } = PathFlag;
      const r = call('readFiles', ['missing', 'link', 'link', 'fifo', 'fifo', '.'], {
        flags: [0, 0, follow, 0, follow, follow],
      });
      assert.deepEqual(r.record(0).slice(0, 2), [ReadKind.failed, ENOENT]);
      assert.deepEqual(r.record(1).slice(0, 2), [ReadKind.failed, ELOOP]);
      assert.deepEqual(r.record(2).slice(0, 3), [ReadKind.read, 0, 7]);
      for (const i of [3, 4])
        assert.deepEqual(
          [r.record(i)[0], r.record(i)[1]! & constants.S_IFMT],
          [ReadKind.notRegular, constants.S_IFIFO],
        );
      assert.equal(r.record(5)[1]! & constants.S_IFMT, constants.S_IFDIR);
    });

    it('hands back a hard-linked file with its dev, ino and nlink unless told to read it', () => {
      writeFileSync(at('h1'), 'linked\n');
      linkSync(at('h1'), at('h2'));
      const stats = statSync(at('h1'));
      const r = call('readFiles', ['h1', 'h2'], { flags: [0, PathFlag.readLinked] });
      assert.deepEqual(r.record(0), [ReadKind.linked, stats.dev, stats.ino, 2]);
      assert.deepEqual(r.record(1).slice(0, 3), [ReadKind.read, 0, 7]);
    });

    it('hands back files above deferAbove, leaves one above the arena open (large), and stops when the arena is full', () => {
      writeFileSync(at('ten'), '0123456789');
      writeFileSync(at('six-a'), 'aaaaaa');
      writeFileSync(at('six-b'), 'bbbbbb');
      const tooBig = call('readFiles', ['ten'], { deferAbove: 9 }).record(0);
      assert.deepEqual([tooBig[0], tooBig[2]], [ReadKind.tooBig, 10]);
      const large = call('readFiles', ['six-a', 'ten', 'six-b'], { arenaBytes: 8 });
      assert.equal(large.cursor[0], 2, 'the call ends right after a large file');
      const [kind, fd, size] = large.record(1);
      assert.deepEqual([kind, size], [ReadKind.large, 10]);
      assert.equal(readFileSync(fd!, 'latin1'), '0123456789', 'its descriptor is open for the caller');
      closeSync(fd!); // the caller's to close
      const full = call('readFiles', ['six-a', 'six-b'], { arenaBytes: 10 });
      assert.deepEqual(Array.from(full.cursor), [1, Buffer.from(at('six-a')).length + 1]);
    });

    it('reports a file that grew between its read and its second fstat as changed, and goes on', () => {
      writeFileSync(at('x-grows'), 'before\n');
      writeFileSync(at('quiet'), 'quiet\n');
      const r = call('readFiles', ['x-grows', 'quiet'], { with: observed() });
      assert.equal(r.record(0)[0], ReadKind.changed);
      assert.deepEqual(r.record(1).slice(0, 3), [ReadKind.read, 0, 6], 'a changed file gives its arena space back');
    });

    it('hashes with OpenSSL as node:crypto does, streaming past the arena, within a byte budget', () => {
      writeFileSync(at('h-small'), 'small\n');
      writeFileSync(at('h-big'), Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251)));
      const list = new FileListBuilder();
      for (const n of ['h-small', 'h-big', 'missing', 'h-small']) list.add(Buffer.from(at(n)), 0, dir.path.length + 1);
      const records = new Float64Array(4 * RECORD_SLOTS);
      const digests = new Uint8Array(4 * 32);
      const cursor = new Uint32Array(2);
      const stats = new BigInt64Array(4 * STAT_SLOTS);
      const buffers = { cursor, arena: Buffer.alloc(64), records, stats };
      reader.hashFiles(list.build(), buffers, Infinity, { algorithm: 'SHA256', digests, byteBudget: 5001 });
      assert.equal(cursor[0], 2, 'no file is started once the budget is hashed');
      for (const [i, n] of [
        [0, 'h-small'],
        [1, 'h-big'],
      ] as const) {
        const expected = createHash('sha256')
          .update(readFileSync(at(n)))
          .digest('hex');
        assert.equal(Buffer.from(digests.subarray(i * 32, (i + 1) * 32)).toString('hex'), expected);
      }
      reader.hashFiles(list.build(), buffers, Infinity, { algorithm: 'SHA256', digests, byteBudget: Infinity });
      assert.deepEqual(Array.from(records.subarray(2 * RECORD_SLOTS, 2 * RECORD_SLOTS + 2)), [ReadKind.failed, ENOENT]);
      assert.equal(records[3 * RECORD_SLOTS], ReadKind.read);
    });

    const blake3Test = blake3
      ? 'hashes BLAKE3 inside the reader as b3sum does, streaming past the arena'
      : 'says it cannot hash BLAKE3 inside the reader (BLAKE3 is hashed from the arena instead)';
    it(blake3Test, () => {
      assert.equal(reader.canHash(BLAKE3_IN_READER), blake3);
      assert.equal(reader.canHash('SHA256'), true);
      if (!blake3) return;
      // Around BLAKE3's 1 KiB chunk and the 64-byte arena, and one of many chunks.
      const sizes = [0, 1, 63, 64, 65, 1024, 1025, 2048, 5000, 300_000];
      const list = new FileListBuilder();
      for (const size of sizes) {
        writeFileSync(at(`b3-${size}`), Buffer.from(Array.from({ length: size }, (_, i) => (i * 7) % 253)));
        list.add(Buffer.from(at(`b3-${size}`)), 0, dir.path.length + 1);
      }
      const digests = new Uint8Array(sizes.length * 32);
      const records = new Float64Array(sizes.length * RECORD_SLOTS);
      const buffers = {
        cursor: new Uint32Array(2),
        arena: Buffer.alloc(64),
        records,
        stats: new BigInt64Array(sizes.length * STAT_SLOTS),
      };
      reader.hashFiles(list.build(), buffers, Infinity, { algorithm: BLAKE3_IN_READER, digests, byteBudget: Infinity });
      sizes.forEach((size, i) => {
        const expected = new Blake3Hasher().update(readFileSync(at(`b3-${size}`))).digest('hex');
        assert.deepEqual(Array.from(records.subarray(i * RECORD_SLOTS, i * RECORD_SLOTS + 3)), [
          ReadKind.read,
          0,
          size,
        ]);
        assert.equal(Buffer.from(digests.subarray(i * 32, (i + 1) * 32)).toString('hex'), expected, `${size} bytes`);
      });
    });

    it('reports a file truncated while it was hashed as changed, and hashes the next one', () => {
      const algorithm = blake3 ? BLAKE3_IN_READER : 'SHA256';
      writeFileSync(at('t-shrinks'), Buffer.alloc(5000, 1));
      writeFileSync(at('t-after'), 'after\n');
      const list = new FileListBuilder();
      for (const n of ['t-shrinks', 't-after']) list.add(Buffer.from(at(n)), 0, dir.path.length + 1);
      const records = new Float64Array(2 * RECORD_SLOTS);
      const digests = new Uint8Array(2 * 32);
      const buffers = {
        cursor: new Uint32Array(2),
        arena: Buffer.alloc(64),
        records,
        stats: new BigInt64Array(2 * STAT_SLOTS),
      };
      observed().hashFiles(list.build(), buffers, Infinity, { algorithm, digests, byteBudget: Infinity });
      assert.equal(statSync(at('t-shrinks')).size, 64, 'the file was truncated after its first read');
      assert.equal(records[0], ReadKind.changed);
      assert.deepEqual(Array.from(records.subarray(RECORD_SLOTS, RECORD_SLOTS + 3)), [ReadKind.read, 0, 6]);
    });

    it('hashes sparse files as their bytes read back, holes anywhere, and reports one truncated while hashed', () => {
      /** Writes `pieces` ([offset, bytes]) into a file of `size` bytes that is otherwise a hole. */
      const sparse = (name: string, size: number, pieces: [number, Buffer][]) => {
        writeFileSync(at(name), '');
        truncateSync(at(name), size);
        const fd = openSync(at(name), 'r+');
        for (const [offset, bytes] of pieces) writeSync(fd, bytes, 0, bytes.length, offset);
        closeSync(fd);
        const { blocks } = statSync(at(name));
        assert.ok(blocks * 512 < size, `${name} has holes (this file system makes them)`);
      };
      const pattern = (length: number) => Buffer.from(Array.from({ length }, (_, i) => (i * 13) % 251));
      // Around the 64 KiB arena: holes before, between and after data, a data range longer than
      // the arena, a file that is one hole, and data ending on the last byte.
      sparse('sp-middle', (1 << 20) + 10, [
        [0, Buffer.from('start')],
        [300_000, pattern(3)],
        [(1 << 20) + 7, Buffer.from('end')],
      ]);
      sparse('sp-leading', 1_600_000, [[1_300_000, pattern(150_000)]]);
      sparse('sp-trailing', 1 << 20, [[0, pattern(100)]]);
      sparse('sp-hole', 2 << 20, []);
      sparse('sp-shrinks', 1 << 20, [[0, pattern(100)]]);
      const names = ['sp-middle', 'sp-leading', 'sp-trailing', 'sp-hole', 'sp-shrinks'];
      const list = new FileListBuilder();
      for (const n of names) list.add(Buffer.from(at(n)), 0, dir.path.length + 1);
      const expected = {
        SHA256: (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex'),
        [BLAKE3_IN_READER]: (bytes: Buffer) => new Blake3Hasher().update(bytes).digest('hex'),
      };
      const algorithms = blake3 ? (['SHA256', BLAKE3_IN_READER] as const) : (['SHA256'] as const);
      for (const algorithm of algorithms) {
        const records = new Float64Array(names.length * RECORD_SLOTS);
        const digests = new Uint8Array(names.length * 32);
        const buffers = {
          cursor: new Uint32Array(2),
          arena: Buffer.alloc(1 << 16),
          records,
          stats: new BigInt64Array(names.length * STAT_SLOTS),
        };
        const size = statSync(at('sp-shrinks')).size;
        observed().hashFiles(list.build(), buffers, Infinity, { algorithm, digests, byteBudget: Infinity });
        for (let i = 0; i < 4; i++) {
          const name = names[i] as string;
          const bytes = readFileSync(at(name));
          assert.deepEqual([records[i * RECORD_SLOTS], records[i * RECORD_SLOTS + 2]], [ReadKind.read, bytes.length]);
          const digest = Buffer.from(digests.subarray(i * 32, (i + 1) * 32)).toString('hex');
          assert.equal(digest, expected[algorithm](bytes), `${algorithm} of ${name}`);
        }
        // Truncated where its first read ended: past its data block, the hole after it is read
        // only by a reader that does not skip holes (in pieces of the whole arena).
        const readFirst = statSync(at('sp-shrinks')).size;
        if (skipsHoles) assert.ok(readFirst >= 100 && readFirst < buffers.arena.length, `first read: ${readFirst}`);
        else assert.equal(readFirst, buffers.arena.length);
        assert.equal(records[4 * RECORD_SLOTS], ReadKind.changed);
        truncateSync(at('sp-shrinks'), size);
      }
      // The same files through a whole hashing batch: those above the 1 MiB arena are hashed
      // from JavaScript where the reader cannot hash BLAKE3, holes as zeros (scan/hash-large-file.ts).
      const batch = new FileListBuilder();
      for (const n of names.slice(0, 4)) batch.add(Buffer.from(at(n)), 0, dir.path.length + 1);
      const result = hashBatchWith(reader, { algorithm: 'blake3', list: batch.build() });
      names.slice(0, 4).forEach((n, i) => {
        assert.equal(result.status[i], FileStatus.hashed, n);
        const digest = Buffer.from(result.digests.subarray(i * 32, (i + 1) * 32)).toString('hex');
        assert.equal(digest, expected[BLAKE3_IN_READER](readFileSync(at(n))), `blake3 of ${n} in a batch`);
      });
    });

    it('lstats beneath the root, with symlink targets in the arena', () => {
      mkdirSync(at('st'));
      symlinkSync('somewhere/else', at('st', 'ln'));
      writeFileSync(at('st', 'f'), 'f');
      const r = call('statFiles', ['st', 'st/ln', 'st/f', 'st/none']);
      assert.equal(r.stat(0).mode & constants.S_IFMT, constants.S_IFDIR);
      const [kind, offset, length] = r.record(1);
      assert.equal(kind, ReadKind.read);
      assert.equal(r.arena.subarray(offset, offset! + length!).toString(), 'somewhere/else');
      assert.equal(r.stat(2).size, 1);
      assert.deepEqual(r.record(3).slice(0, 2), [ReadKind.failed, ENOENT]);
    });

    it('a hashing batch keeps its byte budget and hands back a big file, for both kinds of digest', () => {
      // Sparse files: 7 MiB each, under ALONE_ABOVE_BYTES; five of them pass the 32 MiB budget.
      const seven = 7 * 1024 * 1024;
      assert.ok(seven < ALONE_ABOVE_BYTES && 5 * seven >= BATCH_BYTE_BUDGET && 4 * seven < BATCH_BYTE_BUDGET);
      const names = ['s-1', 's-2', 's-3', 's-4', 's-big', 's-5', 's-6'];
      const list = new FileListBuilder();
      for (const n of names) {
        writeFileSync(at(n), '');
        truncateSync(at(n), n === 's-big' ? ALONE_ABOVE_BYTES + 1 : seven);
        list.add(Buffer.from(at(n)), 0, dir.path.length + 1);
      }
      const zeros = {
        sha256: createHash('sha256').update(Buffer.alloc(seven)).digest('hex'),
        blake3: new Blake3Hasher().update(Buffer.alloc(seven)).digest('hex'),
      };
      for (const algorithm of ['blake3', 'sha256'] as const) {
        const result = hashBatchWith(reader, { algorithm, list: list.build() });
        const { hashed, sendAlone, sendLater } = FileStatus;
        assert.deepEqual(Array.from(result.status), [hashed, hashed, hashed, hashed, sendAlone, hashed, sendLater]);
        assert.deepEqual(Array.from(result.sizes.subarray(0, 4)), [seven, seven, seven, seven]);
        assert.equal(Buffer.from(result.digests.subarray(0, 32)).toString('hex'), zeros[algorithm]);
      }
    });

    it('reads nothing outside the root when a parent directory was swapped for a symlink', () => {
      mkdirSync(at('outside'));
      writeFileSync(at('outside', 'secret'), 'outside the tree\n');
      mkdirSync(at('tree', 'sub'), { recursive: true });
      writeFileSync(at('tree', 'sub', 'secret'), 'inside\n');
      // The walk saw tree/sub as a directory; now it is a link to a directory outside.
      renameSync(at('tree', 'sub'), at('tree', 'sub.moved'));
      symlinkSync(at('outside'), at('tree', 'sub'));
      for (const method of ['readFiles', 'statFiles'] as const) {
        const list = new FileListBuilder();
        list.add(Buffer.from(at('tree', 'sub', 'secret')), 0, Buffer.from(`${at('tree')}/`).length);
        const records = new Float64Array(RECORD_SLOTS);
        const arena = Buffer.alloc(64);
        const stats = new BigInt64Array(STAT_SLOTS);
        const buffers = { cursor: new Uint32Array(2), arena, records, stats };
        if (method === 'readFiles') reader.readFiles(list.build(), buffers, Infinity);
        else reader.statFiles(list.build(), buffers);
        assert.deepEqual(Array.from(records.subarray(0, 2)), [ReadKind.failed, ELOOP], method);
        assert.doesNotMatch(arena.toString(), /outside/);
      }
    });
  });

describe('native addon arguments', () => {
  const addon = nativeAddon()!;
  const one = () => [new Uint8Array([0x61, 0]), new Uint8Array(1), new Uint32Array(1), new Uint32Array(2)] as const;

  it('refuses wrong argument types with a TypeError instead of reading out of bounds', () => {
    const bad = addon as unknown as {
      readFiles: (...args: unknown[]) => void;
      statFiles: (...args: unknown[]) => void;
    };
    assert.throws(() => bad.readFiles(...one()), TypeError);
    assert.throws(
      () => bad.readFiles('paths', ...one().slice(1), Buffer.alloc(8), new Float64Array(4), new BigInt64Array(9), 1),
      TypeError,
    );
    assert.throws(
      () => bad.statFiles(...one(), Buffer.alloc(8), new Float64Array(2), new BigInt64Array(9)),
      /records and stats for every path/,
    );
    assert.throws(
      () =>
        bad.statFiles(
          new Uint8Array([0x61]),
          new Uint8Array(1),
          new Uint32Array(1),
          new Uint32Array(2),
          Buffer.alloc(8),
          new Float64Array(4),
          new BigInt64Array(9),
        ),
      /fewer NUL-terminated paths than flags/,
    );
  });

  it('throws an Error with a code (not a TypeError) for an unknown digest, however long its name', () => {
    for (const algorithm of ['NO-SUCH-DIGEST', 'X'.repeat(200)]) {
      assert.throws(
        () =>
          addon.hashFiles(
            ...one(),
            Buffer.alloc(8),
            new Float64Array(4),
            new BigInt64Array(9),
            1,
            algorithm,
            new Uint8Array(64),
            1,
          ),
        (error: NodeJS.ErrnoException) => !(error instanceof TypeError) && error.code === 'ERR_VIGIL_UNKNOWN_DIGEST',
      );
    }
  });
});
