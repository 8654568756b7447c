/**
 * The addon's startWriteback (native/addon.c), which a backup calls on each complete pack: it
 * answers at once with 0 for a file, the errno for a descriptor that is not open, and refuses a
 * descriptor that is not one. What it starts (the disk writing the pages) is not observable here
 * without racing the kernel; pack tests check that packs are unchanged by it.
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { nativeAddon, nativeAddonProblem } from '../src/fs/native-addon.js';
import { startWriteback } from '../src/fs/sync.js';
import { tempDir } from './helpers.js';

describe('startWriteback', () => {
  const work = tempDir('vigil-writeback-');
  after(() => work.cleanup());

  it('starts writing a file and leaves its contents as they are', () => {
    assert.equal(nativeAddonProblem(), undefined);
    const path = join(work.path, 'pack');
    const bytes = Buffer.alloc(3 << 20, 0x5a);
    writeFileSync(path, bytes);
    const fd = openSync(path, 'r+');
    try {
      assert.equal(nativeAddon()?.startWriteback(fd), 0);
      startWriteback(fd);
    } finally {
      closeSync(fd);
    }
    assert.ok(readFileSync(path).equals(bytes));
  });

  it('answers EBADF for a descriptor that is not open, and refuses one that is not a number', () => {
    // Above any open-files limit, so never reused by another open meanwhile.
    assert.equal(nativeAddon()?.startWriteback(1 << 30), constants.errno.EBADF);
    assert.throws(() => nativeAddon()?.startWriteback(-1), /startWriteback\(fd: number\)/);
  });
});
