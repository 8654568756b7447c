/**
 * The tree assembly joins the records workers wrote (entry-record.ts) into tree blobs: the
 * bytes must be exactly encodeTree's for the same entries, every kind of entry and a hard-link
 * group included (the later name gets linkTo the first path and no content), since a tree's
 * id is the hash of its bytes and an unchanged directory is found by it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TreeAssembly } from '../src/backup/tree-assembly.js';
import type { MetaNode } from '../src/repo/metadata.js';
import { encodeTree, type TreeNode } from '../src/repo/tree.js';

const id = (byte: number) => Buffer.alloc(32, byte);

function meta(name: string, type: MetaNode['type'], extra: Partial<MetaNode> = {}): MetaNode {
  return {
    name: Buffer.from(name),
    type,
    mode: 0o644,
    uid: 0,
    gid: 0,
    user: 'root',
    group: 'root',
    mtimeNs: 1_733_231_133_123_456_789n,
    atimeNs: 1_733_231_134_000_000_001n,
    size: 0,
    xattrs: [],
    ...extra,
  };
}

describe('tree assembly', () => {
  it('joins the same bytes encodeTree writes, hard links settled by path order', () => {
    const stamp = { ctimeNs: 1_733_231_135_000_000_000n, ino: 77n };
    const linkIdentity = { dev: 2049n, ino: 77n, nlink: 2 };
    const content = [{ offset: 0, id: id(9), length: 12 }];
    const entries: { name: string; node: MetaNode; content?: { offset: number; id: Buffer; length: number }[] }[] = [
      { name: 'dev', node: meta('dev', 'char', { device: { major: 1, minor: 3 } }) },
      { name: 'first', node: meta('first', 'file', { size: 12, linkIdentity, stamp }), content },
      { name: 'pipe', node: meta('pipe', 'fifo') },
      { name: 'second', node: meta('second', 'file', { size: 12, linkIdentity, stamp }), content },
      { name: 'sock', node: meta('sock', 'socket', { skipped: 'a "socket"' }) },
      { name: 'sub', node: meta('sub', 'dir', { mode: 0o755 }) },
      { name: 'to', node: meta('to', 'symlink', { linkTarget: Buffer.from('../x') }) },
      {
        name: 'with-xattr',
        node: meta('with-xattr', 'file', {
          size: 5,
          xattrs: [{ name: Buffer.from('user.a'), value: Buffer.from([0, 1, 2]) }],
          stamp: { ctimeNs: 5n, ino: 8n },
        }),
        content: [{ offset: 0, id: id(4), length: 5 }],
      },
    ];
    const assembly = new TreeAssembly();
    // Added out of order, as workers answer.
    for (const entry of [...entries].reverse()) {
      assembly.addNode(Buffer.from(`/d/${entry.name}`), entry.node, entry.content);
    }
    assembly.addNode(Buffer.from('/d'), meta('d', 'dir'));
    const trees: Buffer[] = [];
    const built = assembly.build((plain) => {
      trees.push(plain);
      return { id: id(trees.length), storedBytes: plain.length };
    });
    assert.equal(trees.length, 3, "sub, d and '/'");
    assert.deepEqual(built, { root: id(3), orphans: [], linked: ['/d/second'], reused: 0, encoded: 3 });

    const expected: TreeNode[] = entries.map(({ name, node, content: refs }) => {
      const { linkIdentity: _, stamp: fileStamp, ...stored } = node;
      if (node.type === 'dir') return { node: stored, subtree: id(1) };
      if (node.type !== 'file') return { node: stored };
      if (name === 'second') return { node: { ...stored, linkTo: Buffer.from('d/first') }, stamp: fileStamp };
      return { node: stored, content: refs ?? [], ...(fileStamp ? { stamp: fileStamp } : {}) };
    });
    assert.equal(trees[1]?.toString(), encodeTree(expected).toString());
    assert.equal(trees[0]?.toString(), encodeTree([]).toString());
  });

  it('counts a tree the repository already has as reused, and drops entries under a directory it lacks', () => {
    const assembly = new TreeAssembly();
    assembly.addNode(Buffer.from('/kept'), meta('kept', 'dir'));
    assembly.addNode(Buffer.from('/gone/orphan'), meta('orphan', 'fifo'));
    const built = assembly.build((plain) => ({ id: id(plain.length % 256), storedBytes: 0 }));
    assert.deepEqual(built.orphans, ['/gone/orphan']);
    assert.equal(built.reused, 2);
    assert.equal(built.encoded, 0);
  });
});
