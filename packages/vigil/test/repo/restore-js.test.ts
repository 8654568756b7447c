/**
 * Metadata capture and restore without the native addon (issue 18): the tree of
 * restore-roundtrip.test.ts, captured and restored through node:fs's calls (meta-calls-js.ts).
 * Every entry node:fs can make must come back with its type, mode (setuid included), owner,
 * size and times cut to the microsecond; hard links as one inode, holes as holes, names of
 * 255 bytes or not UTF-8. What node:fs cannot do (FIFOs, devices, extended attributes) must be
 * notices saying how to get it done, never failures. And VIGIL_NATIVE=0 must put these calls
 * in use. Needs root, as CI runs (chown, mknod for the fixture).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isNativeMetaAddon, metaAddon } from '../../src/repo/meta-calls.js';
import { jsMetaAddon } from '../../src/repo/meta-calls-js.js';
import type { MetaNode } from '../../src/repo/metadata.js';
import { encodeNode } from '../../src/repo/metadata-codec.js';
import { EntryRestorer, type RestoreNotice } from '../../src/repo/restore-entry.js';
import { tempDir } from '../helpers.js';
import { captureTree, lstatTree, NOBODY, NOGROUP, openDirectory, restoreTree, tool } from './meta-tree.js';

const CHILD = fileURLToPath(new URL('./restore-child.ts', import.meta.url));
const LONG_NAME = 'n'.repeat(255);
const NOT_UTF8 = Buffer.from([0x6e, 0xff, 0xfe, 0x2e, 0x74]); // "n\xff\xfe.t"
const MIB = 1024 * 1024;

/**
 * `ns` cut down to its microsecond: what node:fs's lutimes sets on Node 20 (its libuv drops
 * the rest). Node 22 and 24 keep nanoseconds, but a double cannot hold today's times to the
 * nanosecond, so what they set lies within the microsecond, not on it: compare microseconds.
 */
function toMicrosecond(ns: bigint): bigint {
  const rest = ns % 1000n;
  return ns - (rest < 0n ? rest + 1000n : rest);
}

/** The mtimes the fixture sets (touch: utimensat, nanoseconds), a directory's after its children's. */
const MTIMES: readonly [path: string, time: string][] = [
  ['plain.txt', '2021-03-04 05:06:07.123456789'],
  ['setuid', '1999-12-31 23:59:59.000000001'],
  ['link', '2010-01-01 00:00:00.987654321'],
  ['before-1970', '@-315619199.876543211'],
  ['sub/first', '2015-06-07 08:09:10.111111111'],
  ['sub', '2020-02-02 02:02:02.222222222'],
];

describe('a tree captured and restored without the native addon', () => {
  const work = tempDir('vigil-meta-js-');
  const source = join(work.path, 'source');
  const target = join(work.path, 'target');
  let records: { path: Buffer; node: MetaNode }[];
  let notices: RestoreNotice[];
  /** Each restored entry's atime, read before anything lists the restored directories (which moves theirs). */
  const atimes = new Map<string, bigint>();

  before(async () => {
    mkdirSync(source);
    mkdirSync(target);
    writeFileSync(join(source, 'plain.txt'), 'hello\n');
    chmodSync(join(source, 'plain.txt'), 0o640);
    tool('setfattr', '-n', 'user.note', '-v', 'a note', join(source, 'plain.txt'));
    writeFileSync(join(source, 'setuid'), '#!/bin/sh\n');
    chownSync(join(source, 'setuid'), NOBODY, NOGROUP);
    chmodSync(join(source, 'setuid'), 0o4755);
    writeFileSync(join(source, 'before-1970'), 'old\n');
    writeFileSync(join(source, LONG_NAME), 'long\n');
    writeFileSync(Buffer.concat([Buffer.from(`${source}/`), NOT_UTF8]), 'bytes\n');
    mkdirSync(join(source, 'sub'));
    writeFileSync(join(source, 'sub', 'first'), 'linked\n');
    linkSync(join(source, 'sub', 'first'), join(source, 'second'));
    linkSync(join(source, 'sub', 'first'), join(source, 'sub', 'third'));
    symlinkSync(Buffer.from([0x2e, 0x2e, 0x2f, 0xff, 0x01]), Buffer.from(`${source}/link`));
    tool('mkfifo', '-m', '0620', join(source, 'fifo'));
    tool('mknod', '-m', '0666', join(source, 'null'), 'c', '1', '3');
    // A sparse file: 4 KiB of data, then a hole to 8 MiB.
    const sparse = openSync(join(source, 'sparse'), 'w');
    writeSync(sparse, Buffer.alloc(4096, 7), 0, 4096, 0);
    closeSync(sparse);
    execFileSync('truncate', ['-s', String(8 * MIB), join(source, 'sparse')]);
    chownSync(join(source, 'sub'), NOBODY, 0);
    chmodSync(join(source, 'sub'), 0o2750);
    for (const [path, time] of MTIMES) tool('touch', '-h', '-d', time, join(source, path));
    tool('touch', '-h', '-a', '-d', '2022-02-02 22:22:22.999999999', join(source, 'plain.txt'));
    records = captureTree(source, jsMetaAddon);
    notices = await restoreTree(source, records, target, {}, jsMetaAddon);
    for (const { path, node } of records) {
      if (node.type === 'fifo' || node.type === 'char') continue;
      const full = Buffer.concat([Buffer.from(`${target}/`), path]);
      atimes.set(path.toString('latin1'), lstatSync(full, { bigint: true }).atimeNs);
    }
  });
  after(() => work.cleanup());

  it('captures what the native addon captures, but extended attributes', () => {
    assert.ok(isNativeMetaAddon(metaAddon()), 'the addon is built here, to compare with');
    const native = captureTree(source);
    assert.ok(native.find(({ path }) => `${path}` === 'plain.txt')?.node.xattrs.length, 'the fixture has an attribute');
    // Access times aside: capturing twice reads the tree twice, which moves them (relatime).
    const withoutAtime = ({ path, node }: { path: Buffer; node: MetaNode }) => ({
      path,
      node: { ...node, atimeNs: 0n },
    });
    assert.deepEqual(
      records.map(withoutAtime),
      native.map(({ path, node }) => withoutAtime({ path, node: { ...node, xattrs: [] } })),
    );
    const setuid = records.find(({ path }) => `${path}` === 'setuid')?.node;
    assert.equal(setuid?.user, 'nobody');
    assert.equal(setuid?.mtimeNs, 946684799000000001n);
    assert.deepEqual(records.find(({ path }) => `${path}` === 'null')?.node.device, { major: 1, minor: 3 });
  });

  it('restores all but the FIFO and the device with type, mode, owner and size, and times to the microsecond', () => {
    const before = lstatTree(source);
    const restored = lstatTree(target);
    before.delete('fifo');
    before.delete('null');
    assert.deepEqual([...restored.keys()].sort(), [...before.keys()].sort());
    for (const [path, { view }] of before) {
      const expected = { ...view, mtimeNs: toMicrosecond(view.mtimeNs) };
      const got = restored.get(path)?.view;
      assert.deepEqual(
        got && { ...got, mtimeNs: toMicrosecond(got.mtimeNs) },
        expected,
        `${JSON.stringify(path)} differs`,
      );
    }
    // The fixture really holds what the comparison covers, and the times lost their nanoseconds.
    assert.equal(restored.get('setuid')?.view.mode, 0o104755n);
    assert.equal(restored.get('setuid')?.view.uid, BigInt(NOBODY));
    assert.equal(restored.get('sub')?.view.mode, 0o42750n);
    assert.equal(before.get('plain.txt')?.view.mtimeNs, 1614834367123456789n);
    assert.equal(toMicrosecond(restored.get('plain.txt')?.view.mtimeNs ?? 0n), 1614834367123456000n);
    assert.equal(toMicrosecond(restored.get('link')?.view.mtimeNs ?? 0n), 1262304000987654000n);
    assert.equal(toMicrosecond(restored.get('before-1970')?.view.mtimeNs ?? 0n), -315619199876544000n);
    assert.equal(restored.get(LONG_NAME)?.view.size, 5n);
    assert.equal(restored.get(NOT_UTF8.toString('latin1'))?.view.size, 6n);
  });

  it('restores access times to the microsecond too', () => {
    let compared = 0;
    for (const { path, node } of records) {
      // A later path of a hard link has the first path's inode, and its times.
      if (node.type === 'fifo' || node.type === 'char' || node.linkTo) continue;
      const atime = atimes.get(path.toString('latin1'));
      assert.equal(atime && toMicrosecond(atime), toMicrosecond(node.atimeNs), `${JSON.stringify(`${path}`)}`);
      compared++;
    }
    assert.equal(compared, 9);
    assert.equal(toMicrosecond(atimes.get('plain.txt') ?? 0n), 1643840542999999000n);
  });

  it('restores a hard-link group of three as one inode', () => {
    const restored = lstatTree(target);
    const inodes = ['sub/first', 'second', 'sub/third'].map((path) => restored.get(path)?.stat.ino);
    assert.equal(new Set(inodes).size, 1);
    assert.equal(restored.get('second')?.stat.nlink, 3n);
  });

  it('keeps the symlink target bytes and the hole of a sparse file', () => {
    const node = records.find(({ path }) => `${path}` === 'link')?.node;
    assert.deepEqual(node?.linkTarget, Buffer.from([0x2e, 0x2e, 0x2f, 0xff, 0x01]));
    const sparse = lstatTree(target).get('sparse')?.stat;
    assert.equal(sparse?.size, BigInt(8 * MIB));
    assert.ok((sparse?.blocks ?? 0n) < 64n, `blocks ${sparse?.blocks}`);
  });

  it('makes no FIFO and no device, each with a notice that says how to build the addon', () => {
    assert.deepEqual(
      notices.map((notice) => [notice.kind, `${notice.name}`]),
      [
        ['special-not-restored', 'fifo'],
        ['special-not-restored', 'null'],
      ],
    );
    assert.match(notices[0]?.message ?? '', /^did not make the FIFO "fifo": node:fs cannot make FIFOs or device nodes/);
    assert.match(notices[1]?.message ?? '', /^did not make the device "null"/);
    assert.match(notices[0]?.message ?? '', /lacks vigil's native addon.*a C compiler, make and python3/);
  });

  it('leaves no temporary name behind', () => {
    assert.deepEqual(
      readdirSync(target).filter((name) => name.startsWith('.vigil-r-')),
      [],
    );
  });
});

describe('an extended attribute restored without the native addon', () => {
  it('is a notice, and the file is restored all the same', async () => {
    const work = tempDir('vigil-meta-js-xattr-');
    try {
      const node: MetaNode = {
        name: Buffer.from('noted'),
        type: 'file',
        mode: 0o604,
        uid: 0,
        gid: 0,
        mtimeNs: 1_700_000_000_123_456_789n,
        atimeNs: 1_700_000_000_000_000_001n,
        size: 4,
        xattrs: [{ name: Buffer.from('user.note'), value: Buffer.from('kept?') }],
      };
      const notices: RestoreNotice[] = [];
      const fd = openDirectory(work.path);
      const restorer = new EntryRestorer(fd, { onNotice: (notice) => notices.push(notice) }, jsMetaAddon);
      await restorer.restoreEntry(fd, node, (file) => {
        writeSync(file, 'data');
      });
      closeSync(fd);
      const restored = lstatSync(join(work.path, 'noted'), { bigint: true });
      assert.equal(restored.mode & 0o7777n, 0o604n);
      assert.equal(toMicrosecond(restored.mtimeNs), 1_700_000_000_123_456_000n);
      assert.deepEqual(
        notices.map((notice) => [notice.kind, `${notice.name}`]),
        [['xattr-not-restored', 'noted']],
      );
      assert.match(
        notices[0]?.message ?? '',
        /^did not restore the attribute "user.note" of "noted": node:fs cannot set extended attributes/,
      );
    } finally {
      work.cleanup();
    }
  });
});

describe('VIGIL_NATIVE=0', () => {
  it('puts the node:fs calls in use: restore works, and says what it could not do and why', () => {
    const work = tempDir('vigil-no-addon-');
    try {
      const records = join(work.path, 'records.jsonl');
      const node: MetaNode = {
        name: Buffer.from('owned'),
        type: 'file',
        mode: 0o2750,
        uid: 54_321,
        gid: 54_322,
        user: 'nobody',
        group: 'nogroup',
        mtimeNs: 1_700_000_000_123_456_789n,
        atimeNs: 1_700_000_000_000_000_001n,
        size: 4,
        xattrs: [],
      };
      const fifo: MetaNode = { ...node, name: Buffer.from('fifo'), type: 'fifo', size: 0 };
      writeFileSync(records, `${encodeNode(node)}\n${encodeNode(fifo)}\n`);
      const child = spawnSync(process.execPath, [CHILD, work.path, records], {
        encoding: 'utf8',
        env: { ...process.env, VIGIL_NATIVE: '0' },
      });
      assert.equal(child.status, 0, child.stderr);
      const notices = JSON.parse(child.stdout) as { kind: string; name: string; message: string }[];
      assert.deepEqual(
        notices.map((notice) => [notice.kind, notice.name]),
        [['special-not-restored', 'fifo']],
      );
      assert.match(notices[0]?.message ?? '', /native addon, which can \(it is turned off by VIGIL_NATIVE=0\)/);
      // Owners by name from /etc/passwd and /etc/group, as the native addon would by NSS.
      const owned = lstatSync(join(work.path, 'owned'), { bigint: true });
      assert.deepEqual([owned.uid, owned.gid], [BigInt(NOBODY), BigInt(NOGROUP)]);
      assert.equal(owned.mode & 0o7777n, 0o2750n);
      assert.equal(toMicrosecond(owned.mtimeNs), 1_700_000_000_123_456_000n);
      assert.deepEqual(readdirSync(work.path).sort(), ['owned', 'records.jsonl']);
    } finally {
      work.cleanup();
    }
  });
});
