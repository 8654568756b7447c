/**
 * The node record (docs/format-v2-metadata.md): what capture reads of an entry, and how a
 * record is stored and read back byte for byte: times before 1970 and to the nanosecond,
 * bytes that are not UTF-8 in names, targets and attribute values, large device numbers.
 */
import assert from 'node:assert/strict';
import { closeSync, constants, mkdirSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { captureEntry, type MetaNode, nodeTypeOf, SOCKET_SKIPPED, splitDevice } from '../../src/repo/metadata.js';
import { decodeNode, encodeNode } from '../../src/repo/metadata-codec.js';
import { OwnerNames } from '../../src/repo/owners.js';
import { tempDir } from '../helpers.js';
import { tool } from './meta-tree.js';

const EVERYTHING: MetaNode = {
  name: Buffer.from([0xff, 0x00 + 0x41, 0xc3]),
  type: 'symlink',
  mode: 0o7777,
  uid: 0xfffffffe,
  gid: 0,
  user: 'ü-user',
  group: 'g',
  mtimeNs: -1_500_000_001n,
  atimeNs: 4_102_444_800_999_999_999n,
  size: 0,
  linkTarget: Buffer.from([0x2f, 0xfe, 0x0a]),
  xattrs: [
    { name: Buffer.from('trusted.\xff', 'latin1'), value: Buffer.from([0, 1, 2, 0xff]) },
    { name: Buffer.from('user.empty'), value: Buffer.alloc(0) },
  ],
};

describe('the stored node record', () => {
  it('reads back every field byte for byte', () => {
    assert.deepEqual(decodeNode(encodeNode(EVERYTHING)), EVERYTHING);
    const device: MetaNode = {
      ...EVERYTHING,
      type: 'block',
      linkTarget: undefined,
      device: { major: 4095, minor: 0xfffff },
    };
    const { linkTarget: _, ...withoutTarget } = device;
    assert.deepEqual(decodeNode(encodeNode(device)), withoutTarget);
  });

  it('stores times as [seconds, nanoseconds] with the nanoseconds never negative', () => {
    const stored = JSON.parse(encodeNode(EVERYTHING));
    assert.deepEqual(stored.mtime, [-2, 499_999_999]);
    assert.deepEqual(stored.atime, [4_102_444_800, 999_999_999]);
    assert.equal(stored.name, '/0HD');
  });

  it('takes times up to the ends of a signed 64-bit nanosecond count, and refuses one past them', () => {
    const withMtime = (mtime: [number, number]) => JSON.stringify({ ...JSON.parse(encodeNode(EVERYTHING)), mtime });
    assert.equal(decodeNode(withMtime([9_223_372_036, 854_775_807])).mtimeNs, 2n ** 63n - 1n);
    assert.equal(decodeNode(withMtime([-9_223_372_037, 145_224_192])).mtimeNs, -(2n ** 63n));
    assert.throws(() => decodeNode(withMtime([9_223_372_036, 854_775_808])), /"mtime" is out of range/);
    assert.throws(() => decodeNode(withMtime([-9_223_372_037, 145_224_191])), /"mtime" is out of range/);
    assert.throws(() => decodeNode(withMtime([2 ** 52, 0])), /"mtime" is out of range/);
  });
});

describe('capture', () => {
  const work = tempDir('vigil-capture-');
  after(() => work.cleanup());

  it('reads type, mode, owner names, nanosecond times, target and attributes, not following links', () => {
    const dir = join(work.path, 'd');
    mkdirSync(dir);
    writeFileSync(join(dir, 'f'), '12345');
    symlinkSync('f', join(dir, 'l'));
    tool('setfattr', '-n', 'user.z', '-v', 'last', join(dir, 'f'));
    tool('setfattr', '-n', 'user.a', '-v', 'first', join(dir, 'f'));
    tool('touch', '-h', '-d', '2001-02-03 04:05:06.000000007', join(dir, 'l'));
    const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    const owners = new OwnerNames();
    const file = captureEntry(fd, Buffer.from('f'), owners);
    const link = captureEntry(fd, Buffer.from('l'), owners);
    closeSync(fd);
    assert.equal(file.type, 'file');
    assert.equal(file.size, 5);
    assert.equal(file.user, 'root');
    assert.deepEqual(
      file.xattrs.map((x) => `${x.name}=${x.value}`),
      ['user.a=first', 'user.z=last'],
    );
    assert.equal(link.type, 'symlink');
    assert.equal(`${link.linkTarget}`, 'f');
    assert.equal(link.mtimeNs, 981173106000000007n);
    assert.equal(link.size, 0);
    assert.equal(link.linkIdentity, undefined);
  });

  it('records a socket as skipped, with why', () => {
    tool('python3', '-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', join(work.path, 's'));
    const fd = openSync(work.path, constants.O_RDONLY | constants.O_DIRECTORY);
    const socket = captureEntry(fd, Buffer.from('s'), new OwnerNames());
    closeSync(fd);
    assert.equal(socket.type, 'socket');
    assert.equal(socket.skipped, SOCKET_SKIPPED);
  });

  it('splits device numbers as glibc does, and types modes', () => {
    // makedev(259, 65536) = 0x0000010001030000 | ...: major 259, minor 65536 (an NVMe partition's kind of number).
    const rdev = ((259n & 0xfffn) << 8n) | ((259n & ~0xfffn) << 32n) | (65536n & 0xffn) | ((65536n & ~0xffn) << 12n);
    assert.deepEqual(splitDevice(rdev), { major: 259, minor: 65536 });
    assert.deepEqual(splitDevice(0x103n), { major: 1, minor: 3 });
    assert.equal(nodeTypeOf(0o020666n), 'char');
    assert.equal(nodeTypeOf(0o060660n), 'block');
    assert.throws(() => nodeTypeOf(0o170000n), /unknown file type/);
  });
});
