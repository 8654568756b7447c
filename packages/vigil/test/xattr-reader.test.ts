/**
 * The native reader's xattrFiles (native/xattrs.c), called directly: the attributes of
 * files, directories and a symlink's own (not its target's), errors, the arena filling up
 * (the path starts the next call) and attributes bigger than a whole arena; then eachXattrs,
 * and the JavaScript reader, which cannot read them and says so. Needs root (trusted.* on a
 * symlink) and setfattr (scripts/install-system-deps.sh).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eachXattrs } from '../src/fs/batch-reads.js';
import { FileListBuilder } from '../src/fs/file-list.js';
import type { FileReader } from '../src/fs/file-reader.js';
import { JsReader } from '../src/fs/js-reader.js';
import { nativeAddon, nativeAddonProblem } from '../src/fs/native-addon.js';
import { NativeReader } from '../src/fs/reader.js';
import { RECORD_SLOTS, ReadKind, STAT_SLOTS } from '../src/fs/records.js';
import { decodeXattrs } from '../src/fs/xattrs.js';
import { tempDir } from './helpers.js';

const { ENOENT, ELOOP, E2BIG } = osConstants.errno;

// Built by `npm run build`; CI must run the native path, so a missing build fails here.
assert.equal(nativeAddonProblem(), undefined);

function setfattr(...args: string[]): void {
  try {
    execFileSync('setfattr', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('setfattr is not installed: run scripts/install-system-deps.sh (as root)');
    }
    throw error;
  }
}

describe('native reader: extended attributes', () => {
  let dir: { path: string; cleanup: () => void };
  const at = (...names: string[]) => join(dir.path, ...names);
  const reader = new NativeReader(nativeAddon()!);
  before(() => {
    dir = tempDir();
  });
  after(() => dir.cleanup());

  /** One xattrFiles call over names relative to `root` (default: the temp dir). */
  function call(names: readonly string[], arenaBytes = 1 << 16, root = dir.path) {
    const list = new FileListBuilder();
    for (const n of names) list.add(Buffer.from(join(root, n)), 0, Buffer.from(`${root}/`).length);
    const cursor = new Uint32Array(2);
    const arena = Buffer.alloc(arenaBytes);
    const records = new Float64Array(names.length * RECORD_SLOTS).fill(-1);
    const buffers = { cursor, arena, records, stats: new BigInt64Array(names.length * STAT_SLOTS) };
    reader.xattrFiles(list.build(), buffers);
    const record = (i: number) => Array.from(records.subarray(i * RECORD_SLOTS, (i + 1) * RECORD_SLOTS));
    /** Path i's attributes as [name, value] pairs, sorted. */
    const attributes = (i: number) => {
      const [kind, offset, length] = record(i) as [number, number, number];
      assert.equal(kind, ReadKind.read, `path ${i}: ${record(i)}`);
      return decodeXattrs(arena.subarray(offset, offset + length))
        .map((x) => [x.name.toString(), x.value.toString()])
        .sort();
    };
    return { cursor, record, attributes, buffers, list };
  }

  it("reads files', directories' and a symlink's own attributes, not following it; errno for a missing path", () => {
    writeFileSync(at('plain'), '');
    writeFileSync(at('f'), '');
    setfattr('-n', 'user.b', '-v', 'two', at('f'));
    setfattr('-n', 'user.a', '-v', 'one', at('f'));
    mkdirSync(at('d'));
    setfattr('-n', 'user.d', '-v', 'dir', at('d'));
    symlinkSync('f', at('link'));
    setfattr('-h', '-n', 'trusted.l', '-v', 'link', at('link'));
    const r = call(['plain', 'f', 'd', 'link', 'missing']);
    assert.deepEqual(r.record(0).slice(0, 3), [ReadKind.read, 0, 0]);
    assert.deepEqual(r.attributes(1), [
      ['user.a', 'one'],
      ['user.b', 'two'],
    ]);
    assert.deepEqual(r.attributes(2), [['user.d', 'dir']]);
    assert.deepEqual(r.attributes(3), [['trusted.l', 'link']]);
    assert.deepEqual(r.record(4).slice(0, 2), [ReadKind.failed, ENOENT]);
    assert.deepEqual(Array.from(r.cursor), [5, r.list.build().paths.length]);
  });

  it('stops before a path whose attributes do not fit what is left of the arena, and refuses one bigger than the arena', () => {
    mkdirSync(at('full'));
    for (const n of ['x', 'y']) {
      writeFileSync(at('full', n), '');
      setfattr('-n', 'user.v', '-v', 'v'.repeat(40), at('full', n));
    }
    // Each record is 7 + 4 + 40 = 51 bytes: one fits in 64, the second starts the next call.
    const first = call(['full/x', 'full/y'], 64);
    assert.equal(first.cursor[0], 1);
    assert.deepEqual(first.record(0).slice(0, 3), [ReadKind.read, 0, 51]);
    assert.deepEqual(first.record(1), [-1, -1, -1, -1], 'the second path is left for the next call');
    first.buffers.arena.fill(0);
    assert.equal(first.buffers.cursor[0], 1);
    reader.xattrFiles(first.list.build(), first.buffers);
    assert.equal(first.cursor[0], 2);
    assert.deepEqual(first.record(1).slice(0, 3), [ReadKind.read, 0, 51]);

    const alone = call(['full/x'], 32);
    assert.deepEqual(alone.record(0).slice(0, 2), [ReadKind.failed, E2BIG]);
  });

  it('reads nothing outside the root when a parent directory was swapped for a symlink', () => {
    mkdirSync(at('outside'));
    writeFileSync(at('outside', 'secret'), '');
    setfattr('-n', 'user.outside', '-v', 'secret', at('outside', 'secret'));
    mkdirSync(at('tree', 'sub'), { recursive: true });
    renameSync(at('tree', 'sub'), at('tree', 'sub.moved'));
    symlinkSync(at('outside'), at('tree', 'sub'));
    const r = call(['sub/secret'], 1 << 10, at('tree'));
    assert.deepEqual(r.record(0).slice(0, 2), [ReadKind.failed, ELOOP]);
  });

  it('eachXattrs gives canonical records (sorted by name) over as many calls as the arena needs', () => {
    // 320 files with 3500 bytes of attributes each: more than the 1 MiB arena holds at once.
    const count = 320;
    mkdirSync(at('each'));
    const list = new FileListBuilder();
    const dump: string[] = [];
    for (let i = 0; i < count; i++) {
      writeFileSync(at('each', `f${i}`), '');
      list.add(Buffer.from(at('each', `f${i}`)), 0, dir.path.length + 1);
      dump.push(`# file: ${at('each', `f${i}`)}`, `user.z=0x${'ab'.repeat(3500)}`, `user.a="${i}"`, '');
    }
    writeFileSync(at('each.dump'), dump.join('\n'));
    setfattr(`--restore=${at('each.dump')}`);
    const seen: string[] = [];
    let calls = 0;
    const counting: FileReader = Object.assign(Object.create(reader) as FileReader, {
      xattrFiles: (...args: Parameters<FileReader['xattrFiles']>) => {
        calls++;
        reader.xattrFiles(...args);
      },
    });
    eachXattrs(counting, list.build(), (i, outcome) => {
      assert.equal(outcome.kind, 'xattrs');
      if (outcome.kind !== 'xattrs') return;
      const [a, z] = decodeXattrs(outcome.record);
      assert.equal(z?.value.length, 3500);
      seen[i] = `${a?.name}=${a?.value}, ${z?.name}`;
    });
    assert.equal(seen.length, count);
    assert.equal(calls, 2);
    assert.deepEqual(
      seen,
      seen.map((_, i) => `user.a=${i}, user.z`),
    );
  });

  it('the JavaScript reader says it cannot read them, and throws if asked', () => {
    const js = new JsReader();
    assert.equal(js.readsXattrs, false);
    assert.equal(reader.readsXattrs, true);
    const list = new FileListBuilder();
    list.add(Buffer.from(at('plain')), 0, dir.path.length + 1);
    const buffers = {
      cursor: new Uint32Array(2),
      arena: Buffer.alloc(64),
      records: new Float64Array(RECORD_SLOTS),
      stats: new BigInt64Array(STAT_SLOTS),
    };
    assert.throws(() => js.xattrFiles(list.build(), buffers), /cannot read extended attributes/);
  });
});
