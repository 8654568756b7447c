/**
 * The walk (src/fs/walk.ts) holds each directory open while it is inside, and opens the next
 * one relative to it without following links: a directory swapped for a symlink after its
 * parent was listed is reported, and nothing of what the link points to is listed.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readlinkSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
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
    // Count only descriptors that point into the tree: the test runner opens and closes its own
    // descriptors at any moment, so a count of all of them can move for reasons of its own.
    const open = () => openUnder(at('deep'));
    for await (const _ of walk([Buffer.from(at('deep'))], { follow: false, oneFileSystem: false, excludes: [] })) {
      assert.ok(open() > 0, 'directories are held open during the walk');
    }
    assert.equal(open(), 0);
    const stopped = walk([Buffer.from(at('deep'))], {
      follow: false,
      oneFileSystem: false,
      excludes: [],
      directories: true,
    });
    await stopped.next();
    await stopped.next();
    assert.ok(open() > 0, 'the stopped walk is inside the tree');
    await stopped.return(undefined);
    assert.equal(open(), 0);
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
