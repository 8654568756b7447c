/**
 * Issue 20's escape: between the walk and the read, a directory of the tree is swapped for a
 * symlink to a directory outside it. Nothing outside may be read (nor backed up), with the
 * native reader and with the JavaScript one. The test entry's workers make the swap just
 * before they read (VIGIL_TEST_SWAP, test/support/observed-reader.mjs) and log every path
 * they read; the walk's own part is in walk.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { loadIndex } from '../src/repo/index-load.js';
import { Repository } from '../src/repo/repository.js';
import { lines, type RunOptions, suiteDir, vigil } from './helpers.js';

const READERS = [
  { name: 'native reader', env: {} },
  { name: 'JavaScript reader', env: { VIGIL_NATIVE: '0' } },
];

for (const reader of READERS)
  describe(`a parent directory swapped for a symlink during the run (${reader.name})`, () => {
    const at = suiteDir('vigil-swap-');
    const outsideHash = () =>
      execFileSync('b3sum', ['--no-names', at('outside', 'secret')])
        .toString()
        .trim();
    const swapped = (): RunOptions => ({
      observed: true,
      env: {
        ...reader.env,
        VIGIL_TEST_SWAP: `${at('tree', 'sub')}:${at('outside')}`,
        VIGIL_TEST_READ_LOG: at('reads.log'),
      },
    });
    const reads = () => (existsSync(at('reads.log')) ? readFileSync(at('reads.log'), 'latin1') : '');

    beforeEach(() => {
      for (const name of ['tree', 'outside', 'reads.log', 'repo', 'out'])
        rmSync(at(name), { recursive: true, force: true });
      mkdirSync(at('tree', 'sub'), { recursive: true });
      mkdirSync(at('outside'));
      writeFileSync(at('tree', 'plain'), 'plain\n');
      writeFileSync(at('tree', 'sub', 'secret'), 'inside the tree\n');
      writeFileSync(at('outside', 'secret'), 'OUTSIDE THE TREE\n');
    });

    it('vigil hash reports the file and reads nothing outside', async () => {
      const result = await vigil(['hash', at('tree')], swapped());
      assert.equal(result.code, 1, result.stderr);
      assert.ok(existsSync(at('tree', 'sub.moved')), 'the swap happened');
      assert.match(result.stderr, /tree\/sub\/secret: Too many levels of symbolic links/);
      assert.deepEqual(
        lines(result.stdout).map((l) => l.slice(66)),
        [at('tree', 'plain')],
      );
      assert.doesNotMatch(result.stdout.toString(), new RegExp(outsideHash()));
      assert.doesNotMatch(reads(), /outside/);
    });

    it('vigil backup keeps an incomplete snapshot without the outside file', async () => {
      const result = await vigil(['backup', at('tree'), '--to', at('repo'), '--json'], swapped());
      assert.equal(result.code, 3, result.stderr);
      assert.match(result.stderr, /tree\/sub\/secret: Too many levels of symbolic links/);
      assert.doesNotMatch(reads(), /outside/);
      // The outside file's content is in no blob of the repository (it has no encryption: the test holds its keys).
      const repo = await Repository.open(at('repo'), { password: async () => assert.fail('no password needed') });
      const outside = repo.ids.id(readFileSync(at('outside', 'secret')));
      assert.equal((await loadIndex(repo.storage, repo.sealer)).index.has(outside), false);
      // Put the tree back and restore: the snapshot holds no trace of the outside content.
      rmSync(at('tree', 'sub'));
      renameSync(at('tree', 'sub.moved'), at('tree', 'sub'));
      const restored = await vigil(['restore', at('repo'), 'latest', at('out')]);
      assert.equal(restored.code, 0, restored.stderr);
      const copy = join(at('out'), at('tree'));
      assert.equal(readFileSync(join(copy, 'plain'), 'utf8'), 'plain\n');
      // sub is recorded as what it was when captured: the directory (without the file it could not
      // read safely), or, captured after the swap, the symlink itself; never the outside file.
      const sub = lstatSync(join(copy, 'sub'));
      assert.ok(sub.isSymbolicLink() || !existsSync(join(copy, 'sub', 'secret')), 'no secret restored as a file');
    });

    it('vigil check reports the entry unreadable and reads nothing outside', async () => {
      const made = await vigil(['baseline', at('tree')], { env: reader.env });
      assert.equal(made.code, 0, made.stderr);
      writeFileSync(at('tree', 'sub', 'secret'), 'changed inside, so the check reads it\n');
      const result = await vigil(['check', '--full', at('tree')], swapped());
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stdout.toString(), /sub\/secret: Too many levels of symbolic links/);
      assert.doesNotMatch(reads(), /outside/);
    });
  });
