/**
 * The walk's two listers (src/fs/walk-directory.ts) give the same walk: the native addon's
 * (native/list_dir.c: openat, getdents64, its own sort) and node:fs's. Over a tree of every
 * kind of entry, with and without --follow, excludes, .vigilignore files and directories; then entries the file system leaves untyped (DT_UNKNOWN), which the addon types by
 * fstatat; then the addon's own answers: errno codes and argument checks.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type NativeAddon, nativeAddon, nativeAddonProblem } from '../src/fs/native-addon.js';
import { type WalkEntry, type WalkOptions, walk } from '../src/fs/walk.js';
import { type DirectoryLister, JS_LISTER, nativeLister } from '../src/fs/walk-directory.js';
import { INVALID_UTF8_NAME } from './fixtures.js';
import { suiteDir } from './helpers.js';

const require = createRequire(import.meta.url);
const { ENOENT, ENOTDIR, EINVAL, ENAMETOOLONG } = osConstants.errno;

assert.equal(nativeAddonProblem(), undefined);
const addon = nativeAddon()!;
/** The addon built with getdents64 wrapped: entries of a directory named "*untyped" come back DT_UNKNOWN. */
const observedAddon = (): NativeAddon => require('./native/build/Release/vigil_native_observed.node');

/** A walk as comparable text: one line per entry, paths in latin1 (one character per byte). */
async function walkText(root: string, lister: DirectoryLister, options: Partial<WalkOptions> = {}): Promise<string[]> {
  const out: string[] = [];
  const walker = walk([Buffer.from(root)], { follow: false, oneFileSystem: false, excludes: [], lister, ...options });
  for await (const entries of walker) for (const entry of entries) out.push(describeEntry(entry));
  return out;
}

function describeEntry(e: WalkEntry): string {
  const path = e.path.toString('latin1');
  switch (e.kind) {
    case 'file':
      return `file ${path} base=${e.base} follow=${e.follow}`;
    case 'directory':
      return `directory ${path} base=${e.base} ino=${e.stat.ino}`;
    case 'skipped':
      return `skipped ${path} ${e.reason}`;
    case 'error':
      return `error ${path} ${e.code} ${e.message}`;
  }
}

/** Files, directories, a FIFO, symlinks to a file, to a directory, to nothing, in a loop, odd names, ignore files. */
function makeKindsTree(root: string): void {
  mkdirSync(`${root}/d/e`, { recursive: true });
  mkdirSync(`${root}/d-x`);
  mkdirSync(`${root}/skipme`);
  for (const file of ['a.txt', 'a0', 'd/f', 'd/e/g', 'd-x/h', 'skipme/i', 'd/keep.log', 'd/drop.log'])
    writeFileSync(`${root}/${file}`, `${file}\n`);
  writeFileSync(Buffer.from(`${root}/d/${INVALID_UTF8_NAME.toString('latin1')}`, 'latin1'), 'odd\n');
  writeFileSync(`${root}/d/.vigilignore`, 'drop.log\n');
  execFileSync('mkfifo', [`${root}/fifo`]);
  symlinkSync('a.txt', `${root}/to-file`);
  symlinkSync('d', `${root}/d.link`); // a link to a directory: sorts as 'd.link/' under --follow
  symlinkSync('nowhere', `${root}/dangling`);
  symlinkSync('.', `${root}/d/e/loop`);
  symlinkSync('self', `${root}/self`);
}

const OPTION_SETS: [string, Partial<WalkOptions>][] = [
  ['plain', {}],
  ['--follow', { follow: true }],
  ['directories', { directories: true }],
  ['--exclude', { excludes: ['skipme/', '*.txt'] }],
  ['--follow with directories and excludes', { follow: true, directories: true, excludes: ['e/'] }],
];

describe('the native and JavaScript listers give the same walk', () => {
  const at = suiteDir('vigil-listers-');

  for (const [label, options] of OPTION_SETS)
    it(`over every kind of entry (${label})`, async () => {
      if (label === 'plain') makeKindsTree(at('kinds'));
      const native = await walkText(at('kinds'), nativeLister(addon), options);
      const js = await walkText(at('kinds'), JS_LISTER, options);
      assert.deepEqual(native, js);
      assert.ok(native.length >= 8, `the walk found the tree (${native.length} entries)`);
      if (label === 'plain') {
        assert.ok(native.includes(`skipped ${at('kinds', 'fifo')} fifo`));
        assert.ok(!native.some((line) => line.includes('drop.log')), '.vigilignore is applied');
      }
    });

  // The native lister only: node:fs lists a directory by opening it again by path
  // (readdirSync of /proc/self/fd/N), which O_NOATIME on our descriptor cannot reach.
  it("leaves directories' atimes where they were (O_NOATIME), though relatime would move them", async () => {
    const root = at('atime');
    mkdirSync(join(root, 'inner'), { recursive: true });
    writeFileSync(join(root, 'inner', 'file'), 'x');
    // An atime before the mtime: relatime moves it at the next read of the directory.
    for (const dir of [root, join(root, 'inner')]) utimesSync(dir, 946684800, statSync(dir).mtime);
    await walkText(root, nativeLister(addon));
    for (const dir of [root, join(root, 'inner')]) {
      assert.equal(statSync(dir).atimeMs, 946684800_000, `the listing moved the atime of ${dir}`);
    }
  });

  it('types entries the file system leaves untyped (DT_UNKNOWN) by fstatat, as d_type would', async () => {
    makeKindsTree(at('untyped'));
    makeKindsTree(at('untyped', 'inner-untyped'));
    for (const options of [{}, { follow: true }, { directories: true }]) {
      const typed = await walkText(at('untyped'), JS_LISTER, options);
      const untyped = await walkText(at('untyped'), nativeLister(observedAddon()), options);
      assert.deepEqual(untyped, typed);
      assert.ok(untyped.includes(`skipped ${at('untyped', 'fifo')} fifo`), 'the FIFO is typed');
    }
  });
});

describe('the native lister', () => {
  const at = suiteDir('vigil-list-dir-');

  it('answers errno codes: no such entry, a symlink not followed, not a directory', () => {
    mkdirSync(at('d'));
    writeFileSync(at('file'), '');
    symlinkSync('d', at('link'));
    const parent = openSync(at(), constants.O_RDONLY | constants.O_DIRECTORY);
    const file = openSync(at('file'), constants.O_RDONLY);
    try {
      assert.equal(addon.openDirectoryAt(parent, Buffer.from('missing'), false), -ENOENT);
      // O_NOFOLLOW | O_DIRECTORY on a symlink: Linux says ENOTDIR (as open(2) through /proc does for node:fs).
      assert.equal(addon.openDirectoryAt(parent, Buffer.from('link'), false), -ENOTDIR);
      assert.equal(addon.openDirectoryAt(parent, Buffer.from('file'), false), -ENOTDIR);
      assert.equal(addon.listDirectory(file, false, Buffer.alloc(0)), -ENOTDIR);
      const followed = addon.openDirectoryAt(parent, Buffer.from('link'), true);
      assert.ok(followed >= 0, `the link is followed under --follow (${followed})`);
      assert.deepEqual(
        addon.listDirectory(followed, false, Buffer.from('d/')),
        Buffer.alloc(0),
        'an empty directory: an empty listing',
      );
      closeSync(followed);
    } finally {
      closeSync(file);
      closeSync(parent);
    }
  });

  it('takes names only (no "/", no NUL, not empty) and checks its arguments', () => {
    const parent = openSync(at(), constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      assert.equal(addon.openDirectoryAt(parent, Buffer.from('d/..'), false), -EINVAL);
      assert.equal(addon.openDirectoryAt(parent, Buffer.from('d\0x'), false), -EINVAL);
      assert.equal(addon.openDirectoryAt(parent, Buffer.alloc(0), false), -ENOENT);
      assert.equal(addon.openDirectoryAt(parent, Buffer.alloc(256, 0x61), false), -ENAMETOOLONG);
      const call = (f: () => unknown) => assert.throws(f, TypeError);
      call(() => addon.openDirectoryAt(parent, 'd' as unknown as Buffer, false));
      call(() => addon.openDirectoryAt(parent, Buffer.from('d'), 1 as unknown as boolean));
      call(() => addon.openDirectoryAt(-1, Buffer.from('d'), false));
      call(() => addon.listDirectory(1.5, false, Buffer.alloc(0)));
      call(() => addon.listDirectory(parent, false, 'd/' as unknown as Buffer));
      call(() => (addon.listDirectory as (...args: unknown[]) => unknown)(parent));
    } finally {
      closeSync(parent);
    }
  });
});
