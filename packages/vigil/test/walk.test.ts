/**
 * The walk (src/fs/walk.ts) holds each directory open while it is inside, and opens the next
 * one relative to it without following links: a directory swapped for a symlink after its
 * parent was listed is reported, and nothing of what the link points to is listed.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { walk } from '../src/fs/walk.js';
import { suiteDir } from './helpers.js';

describe('the walk', () => {
  const at = suiteDir('vigil-walk-');

  it('reports a directory swapped for a symlink after its parent was listed, and lists nothing outside', async () => {
    mkdirSync(at('tree', 'sub'), { recursive: true });
    mkdirSync(at('outside'));
    writeFileSync(at('tree', 'a'), 'a\n');
    writeFileSync(at('tree', 'sub', 'inside'), 'inside\n');
    writeFileSync(at('outside', 'secret'), 'secret\n');
    const seen: string[] = [];
    const options = { follow: false, oneFileSystem: false, excludes: [] };
    const walker = walk([Buffer.from(at('tree'))], options);
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
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    for await (const _ of walk([Buffer.from(at('deep'))], { follow: false, oneFileSystem: false, excludes: [] })) {
      assert.ok(open() > before, 'directories are held open during the walk');
    }
    assert.equal(open(), before);
    const stopped = walk([Buffer.from(at('deep'))], {
      follow: false,
      oneFileSystem: false,
      excludes: [],
      directories: true,
    });
    await stopped.next();
    await stopped.next();
    await stopped.return(undefined);
    assert.equal(open(), before);
  });
});
