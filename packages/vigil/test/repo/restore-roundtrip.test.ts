/**
 * Metadata capture and restore (issue 18, "faithful metadata"): a tree holding every kind of
 * entry is captured into node records, encoded and decoded as a repository stores them, and
 * restored into a fresh TARGET; every entry must come back with its type, mode (setuid
 * included), owner, size, mtime to the nanosecond (files, directories and symlinks),
 * extended attributes and POSIX ACLs (compared with getfattr, not vigil's reader), hard
 * links as one inode, holes as holes, and names of 255 bytes or not UTF-8.
 * Needs root, as CI runs (chown, mknod, trusted.* attributes).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MetaNode } from '../../src/repo/metadata.js';
import type { RestoreNotice } from '../../src/repo/restore-entry.js';
import { tempDir } from '../helpers.js';
import { captureTree, getfattr, lstatTree, NOBODY, NOGROUP, restoreTree, tool } from './meta-tree.js';

const LONG_NAME = 'n'.repeat(255);
const NOT_UTF8 = Buffer.from([0x6e, 0xff, 0xfe, 0x2e, 0x74]); // "n\xff\xfe.t"
const MIB = 1024 * 1024;

/** Sets a time with nanoseconds (touch uses utimensat; node's utimes would round it). */
function touch(path: string, time: string): void {
  tool('touch', '-h', '-d', time, path);
}

/** The mtimes the fixture sets, with nanoseconds, in this order: a directory's last (its children's change it). */
const MTIMES: readonly [path: string, time: string][] = [
  ['plain.txt', '2021-03-04 05:06:07.123456789'],
  ['setuid', '1999-12-31 23:59:59.000000001'],
  ['link', '2010-01-01 00:00:00.987654321'],
  ['sub/first', '2015-06-07 08:09:10.111111111'],
  ['sub', '2020-02-02 02:02:02.222222222'],
  ['fifo', '2019-01-01 00:00:00.5'],
];

describe('a tree restored from node records', () => {
  const work = tempDir('vigil-meta-');
  const source = join(work.path, 'source');
  const target = join(work.path, 'target');
  let records: { path: Buffer; node: MetaNode }[];
  let notices: RestoreNotice[];

  before(async () => {
    mkdirSync(source);
    mkdirSync(target);
    writeFileSync(join(source, 'plain.txt'), 'hello\n');
    chmodSync(join(source, 'plain.txt'), 0o640);
    writeFileSync(join(source, 'setuid'), '#!/bin/sh\n');
    chownSync(join(source, 'setuid'), NOBODY, NOGROUP);
    chmodSync(join(source, 'setuid'), 0o4755);
    writeFileSync(join(source, LONG_NAME), 'long\n');
    writeFileSync(Buffer.concat([Buffer.from(`${source}/`), NOT_UTF8]), 'bytes\n');
    mkdirSync(join(source, 'sub'));
    writeFileSync(join(source, 'sub', 'first'), 'linked\n');
    linkSync(join(source, 'sub', 'first'), join(source, 'second'));
    linkSync(join(source, 'sub', 'first'), join(source, 'sub', 'third'));
    symlinkSync(Buffer.from([0x2e, 0x2e, 0x2f, 0xff, 0x01]), Buffer.from(`${source}/link`));
    tool('mkfifo', '-m', '0620', join(source, 'fifo'));
    tool('mknod', '-m', '0666', join(source, 'null'), 'c', '1', '3');
    tool('python3', '-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', join(source, 'socket'));
    // A sparse file: 4 KiB of data, then a hole to 8 MiB.
    const sparse = openSync(join(source, 'sparse'), 'w');
    writeSync(sparse, Buffer.alloc(4096, 7), 0, 4096, 0);
    closeSync(sparse);
    execFileSync('truncate', ['-s', String(8 * MIB), join(source, 'sparse')]);
    tool('setfattr', '-n', 'user.note', '-v', 'a note', join(source, 'plain.txt'));
    tool('setfattr', '-n', 'user.binary', '-v', '0x00ff10', join(source, 'sub', 'first'));
    tool('setfattr', '-h', '-n', 'trusted.on-link', '-v', 'link attr', join(source, 'link'));
    tool('setfacl', '-m', `u:nobody:r,g:nogroup:rw`, join(source, 'plain.txt'));
    tool('setfacl', '-d', '-m', 'u:nobody:rx', join(source, 'sub'));
    chownSync(join(source, 'sub'), NOBODY, 0);
    chmodSync(join(source, 'sub'), 0o2750);
    for (const [path, time] of MTIMES) touch(join(source, path), time);
    records = captureTree(source);
    notices = await restoreTree(source, records, target);
  });
  after(() => work.cleanup());

  it('restores every entry but the socket with its type, mode, owner, size and mtime to the nanosecond', () => {
    const before = lstatTree(source);
    const restored = lstatTree(target);
    before.delete('socket');
    assert.deepEqual([...restored.keys()].sort(), [...before.keys()].sort());
    for (const [path, { view }] of before) {
      assert.deepEqual(restored.get(path)?.view, view, `${JSON.stringify(path)} differs`);
    }
    // The fixture really holds what the comparison covers.
    assert.equal(before.get('setuid')?.view.mode, 0o104755n);
    assert.equal(before.get('setuid')?.view.uid, BigInt(NOBODY));
    assert.equal(before.get('plain.txt')?.view.mtimeNs, 1614834367123456789n);
    assert.equal(restored.get('sub')?.view.mode, 0o42750n);
    assert.equal(restored.get('link')?.view.mtimeNs, 1262304000987654321n);
    assert.equal(restored.get(LONG_NAME)?.view.size, 5n);
    assert.equal(restored.get(NOT_UTF8.toString('latin1'))?.view.size, 6n);
  });

  it('skips the socket with a notice naming it', () => {
    assert.deepEqual(
      notices.map((n) => [n.kind, n.name.toString()]),
      [['socket-skipped', 'socket']],
    );
    assert.match(notices[0]?.message ?? '', /socket "socket"/);
  });

  it('restores a hard-link group of three as one inode', () => {
    const restored = lstatTree(target);
    const inodes = ['sub/first', 'second', 'sub/third'].map((path) => restored.get(path)?.stat.ino);
    assert.equal(new Set(inodes).size, 1);
    assert.equal(restored.get('second')?.stat.nlink, 3n);
    // Walked in byte order, `second` comes first; the other two are recorded as links to it.
    const links = records.filter(({ node }) => node.linkTo).map(({ path, node }) => [`${path}`, `${node.linkTo}`]);
    assert.deepEqual(links, [
      ['sub/first', 'second'],
      ['sub/third', 'second'],
    ]);
  });

  it('restores extended attributes and POSIX ACLs, of files, directories and symlinks', () => {
    for (const path of ['plain.txt', 'sub', 'sub/first', 'link']) {
      const attributes = getfattr(join(source, path));
      assert.notEqual(attributes.trim(), '', `the fixture gave ${path} attributes`);
      assert.equal(getfattr(join(target, path)), attributes, path);
    }
    assert.equal(tool('getfacl', '-c', join(target, 'plain.txt')), tool('getfacl', '-c', join(source, 'plain.txt')));
    assert.match(tool('getfacl', '-c', join(target, 'sub')), /default:user:nobody:r-x/);
  });

  it('recreates the FIFO and the device with its number, and keeps the symlink target bytes', () => {
    const restored = lstatTree(target);
    assert.ok(restored.get('fifo')?.stat.isFIFO());
    assert.ok(restored.get('null')?.stat.isCharacterDevice());
    assert.equal(
      restored.get('null')?.stat.rdev,
      statSync('/dev/null').rdev ? BigInt(statSync('/dev/null').rdev) : -1n,
    );
    const node = records.find(({ path }) => path.toString() === 'link')?.node;
    assert.deepEqual(node?.linkTarget, Buffer.from([0x2e, 0x2e, 0x2f, 0xff, 0x01]));
  });

  it('keeps the hole of a sparse file', () => {
    const restored = lstatTree(target).get('sparse')?.stat;
    assert.equal(restored?.size, BigInt(8 * MIB));
    // 512-byte blocks: the 4 KiB of data, not 8 MiB.
    assert.ok((restored?.blocks ?? 0n) < 64n, `blocks ${restored?.blocks}`);
  });

  it('leaves no temporary name behind', () => {
    assert.deepEqual(
      [...lstatTree(target).keys()].filter((path) => path.includes('.vigil-r-')),
      [],
    );
  });
});
