/**
 * The walk (src/fs/walk.ts) holds each directory open while it is inside, and opens the next
 * one relative to it without following links: a directory swapped for a symlink after its
 * parent was listed is reported, and nothing of what the link points to is listed. Every test
 * runs with both listers: the native addon's (native/list_dir.c) and the node:fs fallback.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, readlinkSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nativeAddon, nativeAddonProblem } from '../src/fs/native-addon.js';
import { type WalkOptions, walk } from '../src/fs/walk.js';
import { type DirectoryLister, JS_LISTER, nativeLister } from '../src/fs/walk-directory.js';
import { INVALID_UTF8_NAME } from './fixtures.js';
import { lines, run, suiteDir } from './helpers.js';

// Built by `npm run build`; CI must walk with the addon too, so a missing build fails here.
assert.equal(nativeAddonProblem(), undefined);
const LISTERS: { name: string; lister: DirectoryLister }[] = [
  { name: 'native', lister: nativeLister(nativeAddon()!) },
  { name: 'JavaScript', lister: JS_LISTER },
];
const WALK_ENTRIES = fileURLToPath(new URL('./support/walk-entries.mjs', import.meta.url));

for (const { name, lister } of LISTERS)
  describe(`the walk (${name} lister)`, () => {
    const at = suiteDir('vigil-walk-');
    const walkOf = (root: string, options: Partial<WalkOptions> = {}) =>
      walk([Buffer.from(root)], { follow: false, oneFileSystem: false, excludes: [], lister, ...options });

    it('reports a directory swapped for a symlink after its parent was listed, and lists nothing outside', async () => {
      mkdirSync(at('tree', 'sub'), { recursive: true });
      mkdirSync(at('outside'));
      writeFileSync(at('tree', 'a'), 'a\n');
      writeFileSync(at('tree', 'sub', 'inside'), 'inside\n');
      writeFileSync(at('outside', 'secret'), 'secret\n');
      const seen: string[] = [];
      const walker = walkOf(at('tree'));
      const first = await walker.next();
      assert.deepEqual(
        (first.value as { path: Buffer }[]).map((e) => e.path.toString()),
        [at('tree', 'a')],
        'tree is listed: a comes before sub/',
      );
      renameSync(at('tree', 'sub'), at('tree', 'sub.moved'));
      symlinkSync(at('outside'), at('tree', 'sub'));
      for await (const entries of walker) for (const e of entries) seen.push(`${e.kind} ${e.path.toString()}`);
      assert.deepEqual(seen, [`error ${at('tree', 'sub')}`]);
    });

    it('closes every directory it opened, whether it ends or is stopped early', async () => {
      mkdirSync(at('deep', 'x', 'y', 'z'), { recursive: true });
      writeFileSync(at('deep', 'x', 'y', 'z', 'f'), 'f\n');
      // Count only descriptors that point into the tree: the test runner opens and closes its own
      // descriptors at any moment, so a count of all of them can move for reasons of its own.
      const open = () => openUnder(at('deep'));
      for await (const _ of walkOf(at('deep'))) {
        assert.ok(open() > 0, 'directories are held open during the walk');
      }
      assert.equal(open(), 0);
      const stopped = walkOf(at('deep'), { directories: true });
      await stopped.next();
      await stopped.next();
      assert.ok(open() > 0, 'the stopped walk is inside the tree');
      await stopped.return(undefined);
      assert.equal(open(), 0);
    });

    it('keeps names that are not UTF-8 byte for byte, in byte order of the full paths', async () => {
      const root = at('bytes');
      mkdirSync(at('bytes', 'a', 'b'), { recursive: true });
      mkdirSync(at('bytes', 'a-b'));
      for (const file of ['a.txt', 'a0', 'a-b/x', 'a/b/y', 'a/z', 'é']) writeFileSync(at('bytes', file), '');
      const odd = Buffer.concat([Buffer.from(`${root}/a/`), INVALID_UTF8_NAME]);
      writeFileSync(odd, '');
      const paths: Buffer[] = [];
      for await (const entries of walkOf(root)) for (const e of entries) paths.push(e.path);
      // '-' < '.' < '/' < '0' < 'b' < 0xc3 (é): a/ sorts after a.txt and before a0. Compared as
      // latin1, where every byte is one character: exact, and readable when it fails.
      const expected = [
        'a-b/x',
        'a.txt',
        'a/b/y',
        Buffer.concat([Buffer.from('a/'), INVALID_UTF8_NAME]),
        'a/z',
        'a0',
        'é',
      ];
      assert.deepEqual(
        paths.map((p) => p.subarray(root.length + 1).toString('latin1')),
        expected.map((p) => Buffer.from(p).toString('latin1')),
      );
      assert.ok(
        paths.some((p) => p.equals(odd)),
        'the name that is not UTF-8 comes back as it was',
      );
      assert.deepEqual(
        [...paths].sort(Buffer.compare).map((p) => p.toString('hex')),
        paths.map((p) => p.toString('hex')),
      );
    });

    it('reports a directory it may not read, and lists one it may read but not enter (without privileges)', async () => {
      mkdirSync(at('perm', 'locked'), { recursive: true });
      mkdirSync(at('perm', 'listable', 'sub'), { recursive: true });
      writeFileSync(at('perm', 'locked', 'hidden'), '');
      writeFileSync(at('perm', 'listable', 'file'), '');
      writeFileSync(at('perm', 'open'), '');
      chmodSync(at('perm', 'locked'), 0o000);
      chmodSync(at('perm', 'listable'), 0o444);
      try {
        // Tests run as root, who may read anything: the walk runs in a process without capabilities.
        const caps = ['--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all'];
        const result = await run('setpriv', [...caps, process.execPath, WALK_ENTRIES, name, at('perm')]);
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(
          lines(result.stdout).map((line) => JSON.parse(line)),
          [
            // Listed (r), but its entries cannot be reached (no x): a file is read (and fails) later; a directory fails now.
            { kind: 'file', path: at('perm', 'listable', 'file') },
            { kind: 'error', path: at('perm', 'listable', 'sub'), code: 'EACCES' },
            { kind: 'error', path: at('perm', 'locked'), code: 'EACCES' },
            { kind: 'file', path: at('perm', 'open') },
          ],
        );
      } finally {
        chmodSync(at('perm', 'locked'), 0o755);
        chmodSync(at('perm', 'listable'), 0o755);
      }
    });
  });

/** How many of this process's open descriptors point at `dir` or below it. */
function openUnder(dir: string): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed between the listing and the read
    }
    if (target === dir || target.startsWith(`${dir}/`)) count++;
  }
  return count;
}
