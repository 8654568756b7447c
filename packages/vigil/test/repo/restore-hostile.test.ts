/**
 * Restore never writes outside TARGET, whatever the records say and whatever TARGET holds
 * (issue 18, safety): names with '/', '.', '..', NUL or nothing are refused before any call;
 * a hard link whose source path climbs out or passes through a symlink is refused; a symlink
 * an attacker placed in TARGET where a directory or a file should go is never followed.
 */
import assert from 'node:assert/strict';
import { closeSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MalformedNodeError } from '../../src/repo/meta-errors.js';
import type { MetaNode } from '../../src/repo/metadata.js';
import { decodeNode, encodeNode } from '../../src/repo/metadata-codec.js';
import { EntryRestorer } from '../../src/repo/restore-entry.js';
import { tempDir } from '../helpers.js';
import { openDirectory } from './meta-tree.js';

const FILE: MetaNode = {
  name: Buffer.from('file'),
  type: 'file',
  mode: 0o644,
  uid: 0,
  gid: 0,
  mtimeNs: 1_600_000_000_123_456_789n,
  atimeNs: 1_600_000_000_000_000_000n,
  size: 5,
  xattrs: [],
};
const DIR: MetaNode = { ...FILE, name: Buffer.from('dir'), type: 'dir', mode: 0o755, size: 0 };

describe('restore of hostile records and a hostile TARGET', () => {
  let work: ReturnType<typeof tempDir>;
  let target: string;
  let outside: string;
  let targetFd: number;

  beforeEach(() => {
    work = tempDir('vigil-hostile-');
    target = join(work.path, 'target');
    outside = join(work.path, 'outside');
    mkdirSync(target);
    mkdirSync(outside);
    writeFileSync(join(outside, 'victim'), 'untouched');
    targetFd = openDirectory(target);
  });
  afterEach(() => {
    closeSync(targetFd);
    work.cleanup();
  });

  const outsideIsUntouched = () => {
    assert.deepEqual(readdirSync(outside), ['victim']);
    assert.equal(readFileSync(join(outside, 'victim'), 'utf8'), 'untouched');
  };

  for (const name of ['..', '.', '', 'a/b', '../outside/victim', 'a\0b', 'x'.repeat(256)]) {
    it(`refuses the name ${JSON.stringify(name)} before writing anything`, async () => {
      const restorer = new EntryRestorer(targetFd);
      for (const node of [FILE, DIR, { ...FILE, type: 'fifo' as const, size: 0 }]) {
        await assert.rejects(
          restorer.restoreEntry(targetFd, { ...node, name: Buffer.from(name) }, (fd) => {
            throw new Error(`contents written to ${fd}`);
          }),
          { code: 'ERR_VIGIL_UNSAFE_NAME' },
        );
      }
      // The stored form is refused too: a reader never gets such a record.
      const stored = JSON.parse(encodeNode(FILE));
      stored.name = Buffer.from(name).toString('base64');
      assert.throws(() => decodeNode(JSON.stringify(stored)), {
        code: name.length > 255 ? 'ERR_VIGIL_MALFORMED_NODE' : 'ERR_VIGIL_UNSAFE_NAME',
      });
      assert.deepEqual(readdirSync(target), []);
      outsideIsUntouched();
    });
  }

  it('refuses a hard link whose source climbs out of TARGET', () => {
    const stored = JSON.parse(encodeNode(FILE));
    for (const path of ['../outside/victim', '/etc/passwd', 'a//b', 'a/./b', 'a/']) {
      stored.linkTo = Buffer.from(path).toString('base64');
      assert.throws(() => decodeNode(JSON.stringify(stored)), { code: 'ERR_VIGIL_UNSAFE_NAME' }, path);
      const restorer = new EntryRestorer(targetFd);
      assert.throws(() => restorer.restoreHardLink(targetFd, { ...FILE, linkTo: Buffer.from(path) }), {
        code: 'ERR_VIGIL_UNSAFE_NAME',
      });
    }
    assert.deepEqual(readdirSync(target), []);
  });

  it('does not link through a symlink an attacker placed in TARGET', () => {
    symlinkSync(outside, join(target, 'evil'));
    const restorer = new EntryRestorer(targetFd);
    assert.throws(() => restorer.restoreHardLink(targetFd, { ...FILE, linkTo: Buffer.from('evil/victim') }), {
      code: 'ERR_VIGIL_META_CALL',
      message: /"evil".*ELOOP|ENOTDIR/,
    });
    assert.deepEqual(readdirSync(target), ['evil']);
    assert.equal(lstatSync(join(outside, 'victim')).nlink, 1);
    outsideIsUntouched();
  });

  it('does not restore a directory, nor its children, through a symlink placed where it goes', async () => {
    symlinkSync(outside, join(target, 'dir'));
    const restorer = new EntryRestorer(targetFd);
    await assert.rejects(restorer.restoreEntry(targetFd, DIR), {
      code: 'ERR_VIGIL_ENTRY_IN_THE_WAY',
      message: /directory "dir": TARGET holds a symlink there/,
    });
    assert.ok(lstatSync(join(target, 'dir')).isSymbolicLink());
    outsideIsUntouched();
    assert.notEqual(lstatSync(outside).mode & 0o777, 0o700);
  });

  it('replaces a symlink placed where a file goes, never writing through it', async () => {
    symlinkSync(join(outside, 'victim'), join(target, 'file'));
    const restorer = new EntryRestorer(targetFd);
    await restorer.restoreEntry(targetFd, FILE, (fd) => {
      writeFileSync(fd, 'mine!');
    });
    assert.ok(lstatSync(join(target, 'file')).isFile());
    assert.equal(readFileSync(join(target, 'file'), 'utf8'), 'mine!');
    outsideIsUntouched();
  });

  it('cuts a file to its recorded size, whatever the contents writer wrote', async () => {
    const restorer = new EntryRestorer(targetFd);
    await restorer.restoreEntry(targetFd, FILE, (fd) => {
      writeFileSync(fd, 'far more than five bytes');
    });
    assert.equal(readFileSync(join(target, 'file'), 'utf8'), 'far m');
  });

  it('removes the temporary file when writing the contents fails', async () => {
    const restorer = new EntryRestorer(targetFd);
    await assert.rejects(
      restorer.restoreEntry(targetFd, FILE, () => {
        throw new Error('the pack is damaged');
      }),
      /the pack is damaged/,
    );
    assert.deepEqual(readdirSync(target), []);
  });

  it('refuses malformed stored records with a named error', () => {
    const good = JSON.parse(encodeNode({ ...FILE, linkTarget: undefined }));
    const broken: Record<string, unknown>[] = [
      { ...good, mode: 0o10000 },
      { ...good, uid: -1 },
      { ...good, uid: 2 ** 32 - 1 },
      { ...good, size: -1 },
      { ...good, size: undefined },
      { ...good, type: 'door' },
      { ...good, mtime: [0, 1_000_000_000] },
      { ...good, mtime: 5 },
      { ...good, name: 'not base64!' },
      { ...good, target: Buffer.from('x').toString('base64') },
      { ...good, device: [1, 3] },
      { ...good, xattrs: [['', 'AA==']] },
      { ...good, user: 'a:b' },
      { ...good, type: 'symlink', size: undefined },
      { ...good, type: 'char', size: undefined, device: [4096, 0] },
    ];
    for (const record of broken) {
      assert.throws(() => decodeNode(JSON.stringify(record)), MalformedNodeError, JSON.stringify(record));
    }
    assert.throws(() => decodeNode('{"name":'), MalformedNodeError);
    assert.throws(() => decodeNode('[]'), MalformedNodeError);
    assert.deepEqual(decodeNode(JSON.stringify(good)), FILE);
  });
});
