/**
 * When a run starts its workers before walking (src/pool/early-start.ts): a guess from one stat
 * per operand, and a listing of a small flat directory. Big files are sparse: they cost no disk.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ALONE_ABOVE_BYTES, BATCH_BYTE_BUDGET } from '../src/fs/batch-reads.js';
import { looksLikeManyFiles } from '../src/pool/early-start.js';
import { tempDir, vigil } from './helpers.js';

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
    const sized = (size: number, ...names: string[]) => {
      writeFileSync(join(dir.path, ...names), '');
      truncateSync(join(dir.path, ...names), size);
    };
    sized(ALONE_ABOVE_BYTES, 'batch-sized');
    sized(ALONE_ABOVE_BYTES + 1, 'big');
    mkdirSync(join(dir.path, 'holds-big'));
    sized(1, 'holds-big', 'small');
    sized(ALONE_ABOVE_BYTES + 1, 'holds-big', 'big');
    mkdirSync(join(dir.path, 'holds-budget'));
    const each = ALONE_ABOVE_BYTES;
    for (let i = 0; i * each <= BATCH_BYTE_BUDGET; i++) sized(each, 'holds-budget', `f${i}`);
    mkdirSync(join(dir.path, 'links-big'));
    symlinkSync(join(dir.path, 'big'), join(dir.path, 'links-big', 'big'));
    mkdirSync(join(dir.path, 'unsearchable'));
    writeFileSync(join(dir.path, 'unsearchable', 'f'), 'f');
    chmodSync(join(dir.path, 'unsearchable'), 0o444); // listed, but its entries cannot be stat'ed
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

  it('says yes for a file bigger than the main thread hashes, given or in a flat directory', () => {
    assert.equal(looksLikeManyFiles([at('big')]), true);
    assert.equal(looksLikeManyFiles([at('flat', 'a'), at('big')]), true);
    assert.equal(looksLikeManyFiles([at('holds-big')]), true);
  });

  it('says yes for files over the byte budget of a batch in all, and no up to it', () => {
    assert.equal(looksLikeManyFiles([at('holds-budget')]), true);
    const upToBudget = Array.from({ length: BATCH_BYTE_BUDGET / ALONE_ABOVE_BYTES }, () => at('batch-sized'));
    assert.equal(looksLikeManyFiles(upToBudget), false);
    assert.equal(looksLikeManyFiles([...upToBudget, at('flat', 'a')]), true);
  });

  it('says no for a file of exactly ALONE_ABOVE_BYTES, and for a link to a big file in a directory (not followed)', () => {
    assert.equal(looksLikeManyFiles([at('batch-sized')]), false);
    assert.equal(looksLikeManyFiles([at('links-big')]), false);
  });

  it('leaves a directory it can list but not search to the walk, which reports it (without privileges)', async () => {
    const result = await vigil(['hash', at('unsearchable').toString()], { unprivileged: true });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /unsearchable\/f: Permission denied/);
    assert.doesNotMatch(result.stderr, /Please report/);
  });
});
