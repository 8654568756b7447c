/**
 * Tree blobs (docs/format-v2-trees.md): every type of entry reads back as written (sparse
 * content, hard links, subtrees, names that are not UTF-8), and every check a reader makes
 * refuses what it should, with a message naming the tree, the entry and the problem.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MalformedNodeError, UnsafeEntryNameError } from '../../src/repo/meta-errors.js';
import type { MetaNode } from '../../src/repo/metadata.js';
import { storedTime, toStoredNode } from '../../src/repo/metadata-codec.js';
import { MAX_BLOB_RAW_BYTES } from '../../src/repo/pack-header.js';
import { decodeTree, decodeTreeListing, encodeTree, TreeDamagedError, type TreeNode } from '../../src/repo/tree.js';
import { assertThrowsDamaged } from './assert-damaged.js';

const id = (byte: number) => Buffer.alloc(32, byte);
const hex = (byte: number) => id(byte).toString('hex');

function meta(name: string | Buffer, type: MetaNode['type'], extra: Partial<MetaNode> = {}): MetaNode {
  return {
    name: typeof name === 'string' ? Buffer.from(name) : name,
    type,
    mode: 0o644,
    uid: 1000,
    gid: 1000,
    mtimeNs: 1_733_231_133_123_456_789n,
    atimeNs: -1n,
    size: 0,
    xattrs: [],
    ...extra,
  };
}

/** One entry of every kind, sorted by name bytewise (0xff sorts last). */
const EVERY_KIND: TreeNode[] = [
  { node: meta('char', 'char', { device: { major: 4095, minor: 0xfffff }, user: 'root', group: 'disk' }) },
  {
    node: meta('dir', 'dir', {
      mode: 0o1777,
      xattrs: [{ name: Buffer.from('system.posix_acl_default'), value: Buffer.from([2, 0, 0, 0, 0xff]) }],
    }),
    subtree: id(1),
  },
  { node: meta('empty', 'file'), content: [] },
  { node: meta('fifo', 'fifo') },
  { node: meta('holes-only', 'file', { size: 1 << 30 }), content: [], stamp: { ctimeNs: 0n, ino: 2n ** 64n - 1n } },
  { node: meta('link', 'file', { size: 9, linkTo: Buffer.from('sub/sparse') }), stamp: { ctimeNs: -5n, ino: 7n } },
  { node: meta('socket', 'socket', { skipped: 'a socket is not backed up' }) },
  {
    node: meta('sparse', 'file', {
      size: 10_000_000,
      xattrs: [{ name: Buffer.from('user.note'), value: Buffer.from([0, 0xfe]) }],
    }),
    // A hole before the first ref, one between the refs and one after the last: all stay holes.
    content: [
      { offset: 4096, id: id(2), length: 1000 },
      { offset: 5096, id: id(3), length: 4 },
      { offset: 2_000_000, id: id(2), length: 1000 },
    ],
    stamp: { ctimeNs: 1_733_231_133_000_000_001n, ino: 123_456_789n },
  },
  { node: meta('symlink', 'symlink', { linkTarget: Buffer.from([0x2f, 0xfe, 0x0a]) }) },
  { node: meta(Buffer.from([0xff, 0xfe, 0x41]), 'dir'), subtree: id(4) },
];

/** A tree record as the generic writer made it before tree.ts wrote records by hand: the reference. */
function genericRecord(entry: TreeNode): Record<string, unknown> {
  const record: Record<string, unknown> = { ...toStoredNode(entry.node) };
  if (entry.content) record.content = entry.content.map((ref) => [ref.offset, ref.id.toString('hex'), ref.length]);
  if (entry.subtree) record.subtree = entry.subtree.toString('hex');
  if (entry.stamp) {
    record.ctime = storedTime(entry.stamp.ctimeNs);
    record.inode = entry.stamp.ino.toString();
  }
  return record;
}

describe('tree blobs: the round trip', () => {
  it('reads back every kind of entry as written, byte for byte', () => {
    assert.deepEqual(decodeTree(encodeTree(EVERY_KIND), 'tree-under-test'), EVERY_KIND);
    assert.deepEqual(decodeTree(encodeTree([]), 'empty'), []);
  });

  it('stores content refs, subtrees and stamps in the documented shape, without the capture-only link identity', () => {
    const withIdentity = {
      ...EVERY_KIND[7]!,
      node: { ...EVERY_KIND[7]!.node, linkIdentity: { dev: 1n, ino: 2n, nlink: 2 } },
    };
    const plain = encodeTree([withIdentity, EVERY_KIND[9]!]);
    const [file, dir] = JSON.parse(plain.toString('utf8')).nodes;
    assert.deepEqual(file.content, [
      [4096, hex(2), 1000],
      [5096, hex(3), 4],
      [2_000_000, hex(2), 1000],
    ]);
    assert.deepEqual(file.ctime, [1_733_231_133, 1]);
    assert.equal(file.inode, '123456789');
    assert.equal(file.linkIdentity, undefined);
    assert.equal(dir.subtree, hex(4));
    assert.equal(dir.name, '//5B');
    assert.deepEqual(decodeTree(plain, 't')[0], EVERY_KIND[7]);
  });

  it('writes by hand exactly what JSON.stringify writes of the stored records (the bytes decide tree ids)', () => {
    // Owner names and a skip reason are free text: quotes, backslashes, control characters, non-ASCII.
    const awkward: TreeNode[] = [
      ...EVERY_KIND.slice(0, 6),
      { node: meta('socket', 'socket', { skipped: 'say "why"\\ \n\t\u0001 é 😀', user: 'a"b', group: '\\g\u007f' }) },
      ...EVERY_KIND.slice(7),
    ];
    for (const nodes of [EVERY_KIND, awkward, []]) {
      assert.equal(encodeTree(nodes).toString('utf8'), JSON.stringify({ nodes: nodes.map(genericRecord) }));
    }
  });

  it('ignores keys it does not know, at the top and in a record', () => {
    const stored = JSON.parse(encodeTree(EVERY_KIND).toString('utf8'));
    stored.future = { anything: true };
    stored.nodes[1].future = [1, 2, 3];
    assert.deepEqual(decodeTree(Buffer.from(JSON.stringify(stored)), 't'), EVERY_KIND);
  });

  it('refuses to encode entries out of order, twice, or without the keys their type needs', () => {
    const [a, b] = [EVERY_KIND[2]!, EVERY_KIND[3]!];
    assert.throws(() => encodeTree([b, a]), RangeError);
    assert.throws(() => encodeTree([a, a]), RangeError);
    assert.throws(() => encodeTree([{ node: meta('d', 'dir') }]), /a dir\) needs subtree/);
    assert.throws(() => encodeTree([{ node: meta('f', 'file') }]), /a file\) needs content/);
    assert.throws(() => encodeTree([{ node: meta('s', 'symlink'), subtree: id(1) }]), /cannot have subtree/);
    assert.throws(() => encodeTree([{ node: meta('p', 'fifo'), stamp: { ctimeNs: 0n, ino: 0n } }]), /no stamp/);
  });
});

describe('tree blobs: the listing decode (ls, find)', () => {
  it('gives every entry as decodeTree does, but files without content refs and change stamps', () => {
    const listed = decodeTreeListing(encodeTree(EVERY_KIND), 't');
    const expected = EVERY_KIND.map(({ content: _content, stamp: _stamp, ...rest }) => rest);
    assert.deepEqual(listed, expected);
  });

  it('still checks every node record, and that a file has the content its type needs', () => {
    const badMode = storedTree();
    Object.assign(badMode.nodes[1]!, { mode: 0o10000 });
    assert.throws(() => decodeTreeListing(Buffer.from(JSON.stringify(badMode)), 't'), /"mode" is not an integer/);
    const noContent = storedTree();
    delete noContent.nodes[0]!.content;
    assert.throws(() => decodeTreeListing(Buffer.from(JSON.stringify(noContent)), 't'), /a file needs "content"/);
    const outOfOrder = storedTree();
    outOfOrder.nodes.reverse();
    assert.throws(() => decodeTreeListing(Buffer.from(JSON.stringify(outOfOrder)), 't'), TreeDamagedError);
  });
});

/** A valid stored tree to break: a file "f" of 100 bytes, a dir "g", a hard link "h". */
function storedTree(): { nodes: Record<string, unknown>[] } {
  const plain = encodeTree([
    {
      node: meta('f', 'file', { size: 100 }),
      content: [
        { offset: 0, id: id(1), length: 10 },
        { offset: 50, id: id(2), length: 50 },
      ],
      stamp: { ctimeNs: 5n, ino: 9n },
    },
    { node: meta('g', 'dir'), subtree: id(3) },
    { node: meta('h', 'file', { size: 100, linkTo: Buffer.from('f') }) },
  ]);
  return JSON.parse(plain.toString('utf8'));
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** Each check: how to break the tree, and the message (after the tree's name) that must say so. */
const BROKEN: [string, (t: ReturnType<typeof storedTree>) => void, RegExp][] = [
  ['nodes is not a list', (t) => Object.assign(t, { nodes: { 0: t.nodes[0] } }), /"nodes" is not a list/],
  ['a record is not an object', (t) => t.nodes.splice(0, 1, 5 as never), /entry 0: not a JSON object/],
  [
    'a node record field',
    (t) => Object.assign(t.nodes[1]!, { mode: 0o10000 }),
    /entry 1 "g": "mode" is not an integer/,
  ],
  ['an unsafe name', (t) => Object.assign(t.nodes[0]!, { name: b64('..') }), /entry 0 "..": the entry ".." is not one/],
  ['content on a dir', (t) => Object.assign(t.nodes[1]!, { content: [] }), /entry 1 "g": a dir has no "content"/],
  [
    'content on a link',
    (t) => Object.assign(t.nodes[2]!, { content: [] }),
    /entry 2 "h": a file with linkTo has no "cont/,
  ],
  ['content missing', (t) => delete t.nodes[0]!.content, /entry 0 "f": a file needs "content"/],
  ['content not a list', (t) => Object.assign(t.nodes[0]!, { content: {} }), /entry 0 "f": "content" is not a list/],
  [
    'a ref not a triple',
    (t) => Object.assign(t.nodes[0]!, { content: [[0, hex(1)]] }),
    /"content\[0\]" is not \[offset, id/,
  ],
  [
    'a negative offset',
    (t) => ref(t, 0, [-1, hex(1), 10]),
    /"content\[0\]" has an offset that is not an integer from 0/,
  ],
  ['an unsafe offset', (t) => ref(t, 0, [2 ** 53, hex(1), 10]), /"content\[0\]" has an offset that is not/],
  ['a fractional offset', (t) => ref(t, 0, [0.5, hex(1), 10]), /"content\[0\]" has an offset that is not/],
  ['a length of 0', (t) => ref(t, 1, [50, hex(2), 0]), /"content\[1\]" has a length that is not an integer from 1 to/],
  ['a length above a blob', (t) => ref(t, 0, [0, hex(1), MAX_BLOB_RAW_BYTES + 1]), /"content\[0\]" has a length/],
  [
    'overlapping refs',
    (t) => ref(t, 1, [9, hex(2), 50]),
    /"content\[1\]" starts at 9, before the end of the one before it \(10\)/,
  ],
  ['refs out of order', (t) => ref(t, 1, [0, hex(2), 5]), /"content\[1\]" starts at 0, before the end/],
  ['a ref past the size', (t) => ref(t, 1, [51, hex(2), 50]), /"content\[1\]" ends at 101, past the file's size 100/],
  ['an id in upper case', (t) => ref(t, 0, [0, hex(0xab).toUpperCase(), 10]), /"content\[0\]" is not a blob id/],
  ['a short id', (t) => ref(t, 0, [0, hex(1).slice(2), 10]), /"content\[0\]" is not a blob id/],
  ['a subtree missing', (t) => delete t.nodes[1]!.subtree, /entry 1 "g": a dir needs "subtree"/],
  [
    'a subtree on a file',
    (t) => Object.assign(t.nodes[0]!, { subtree: hex(3) }),
    /entry 0 "f": a file has no "subtree"/,
  ],
  ['a bad subtree', (t) => Object.assign(t.nodes[1]!, { subtree: 7 }), /entry 1 "g": "subtree" is not a blob id/],
  ['ctime without inode', (t) => delete t.nodes[0]!.inode, /entry 0 "f": "ctime" and "inode" come together/],
  ['inode without ctime', (t) => delete t.nodes[0]!.ctime, /entry 0 "f": "ctime" and "inode" come together/],
  [
    'a stamp on a dir',
    (t) => Object.assign(t.nodes[1]!, { ctime: [0, 0], inode: '1' }),
    /entry 1 "g": a dir has no "ctime"/,
  ],
  [
    'a bad ctime',
    (t) => Object.assign(t.nodes[0]!, { ctime: [0, 1e9] }),
    /entry 0 "f": "ctime\[1\]" is not an integer/,
  ],
  [
    'an inode number',
    (t) => Object.assign(t.nodes[0]!, { inode: 9 }),
    /entry 0 "f": "inode" is not the decimal string/,
  ],
  [
    'an inode past u64',
    (t) => Object.assign(t.nodes[0]!, { inode: (2n ** 64n).toString() }),
    /"inode" is not the decim/,
  ],
  ['an inode with a 0 first', (t) => Object.assign(t.nodes[0]!, { inode: '09' }), /"inode" is not the decimal/],
  ['a name twice', (t) => Object.assign(t.nodes[1]!, { name: b64('f') }), /entry 1 "f": the name appears twice/],
  ['names out of order', (t) => t.nodes.reverse(), /entry 1 "g": out of order, after "h"/],
];

function ref(t: ReturnType<typeof storedTree>, i: number, value: unknown[]): void {
  (t.nodes[0]!.content as unknown[])[i] = value;
}

describe('tree blobs: the checks a reader makes', () => {
  it('accepts the tree the checks below break', () => {
    assert.equal(decodeTree(Buffer.from(JSON.stringify(storedTree())), 't').length, 3);
  });

  for (const [check, breakIt, reason] of BROKEN) {
    it(`refuses ${check}`, async () => {
      const tree = storedTree();
      breakIt(tree);
      const plain = Buffer.from(JSON.stringify(tree));
      await assertThrowsDamaged(
        () => decodeTree(plain, 'tree 1234'),
        TreeDamagedError,
        'ERR_VIGIL_TREE_DAMAGED',
        reason,
      );
      assert.throws(() => decodeTree(plain, 'tree 1234'), /^TreeDamagedError: the tree tree 1234 is damaged \(/);
    });
  }

  const whole: [string, Buffer, RegExp][] = [
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), /\(not UTF-8\)/],
    ['text that is not JSON', Buffer.from('{"nodes":['), /\(not JSON: /],
    ['JSON that is not an object', Buffer.from('[]'), /\(not a JSON object\)/],
    ['an object without nodes', Buffer.from('{"node":[]}'), /\("nodes" is not a list\)/],
    ['more than 1,000,000 nodes', Buffer.from(`{"nodes":[${'0,'.repeat(1_000_000)}0]}`), /1000001 entries, above/],
  ];
  for (const [check, plain, reason] of whole) {
    it(`refuses ${check}`, async () => {
      await assertThrowsDamaged(
        () => decodeTree(plain, 'tree 1234'),
        TreeDamagedError,
        'ERR_VIGIL_TREE_DAMAGED',
        reason,
      );
    });
  }

  it("keeps the node record's own error as the cause", () => {
    const bad = (change: Record<string, unknown>) => {
      const tree = storedTree();
      Object.assign(tree.nodes[0]!, change);
      try {
        decodeTree(Buffer.from(JSON.stringify(tree)), 't');
      } catch (error) {
        return (error as Error).cause;
      }
      assert.fail('decoded');
    };
    assert.ok(bad({ uid: -1 }) instanceof MalformedNodeError);
    assert.ok(bad({ name: b64('a/b') }) instanceof UnsafeEntryNameError);
  });
});
