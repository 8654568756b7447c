/** When a run starts its workers before walking (src/pool/early-start.ts): a guess from one stat per operand. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { looksLikeManyFiles } from '../src/pool/early-start.js';
import { tempDir } from './helpers.js';

describe('looksLikeManyFiles', () => {
  let dir: { path: string; cleanup: () => void };
  const at = (...names: string[]) => Buffer.from(join(dir.path, ...names));
  before(() => {
    dir = tempDir();
    mkdirSync(join(dir.path, 'flat'));
    for (const name of ['a', 'b', 'c']) writeFileSync(join(dir.path, 'flat', name), name);
    mkdirSync(join(dir.path, 'nested', 'sub'), { recursive: true });
    mkdirSync(join(dir.path, 'wide'));
    // Long names, so that the directory passes 4 KiB on ext4, XFS, btrfs and tmpfs alike.
    for (let i = 0; i < 300; i++) writeFileSync(join(dir.path, 'wide', `${'n'.repeat(40)}${i}`), '');
  });
  after(() => dir.cleanup());

  it('says no for a few files, alone or in a flat directory, and for what does not exist', () => {
    assert.equal(looksLikeManyFiles([at('flat', 'a'), at('flat', 'b')]), false);
    assert.equal(looksLikeManyFiles([at('flat')]), false);
    assert.equal(looksLikeManyFiles([at('missing')]), false);
    assert.equal(looksLikeManyFiles([]), false);
  });

  it('says yes for a directory with subdirectories or with more than a block of entries', () => {
    assert.equal(looksLikeManyFiles([at('flat', 'a'), at('nested')]), true);
    assert.equal(looksLikeManyFiles([at('wide')]), true);
  });
});
