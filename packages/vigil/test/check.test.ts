/** `vigil hash --check`: reads sha256sum, b3sum and BSD-tag manifests; coreutils' flags and messages. */
import assert from 'node:assert/strict';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeManySmallFiles, makeNameTree } from './fixtures.js';
import { lines, run, tempDir, vigil } from './helpers.js';

describe('vigil hash --check', () => {
  let tree: { path: string; cleanup: () => void };
  const at = (name: string) => join(tree.path, name);

  before(() => {
    tree = tempDir();
    makeNameTree(tree.path, { invalidUtf8: false, carriageReturn: false });
    makeManySmallFiles(at('many'), 300);
  });
  after(() => tree.cleanup());

  async function manifest(name: string, command: string): Promise<string> {
    const result = await run('sh', ['-c', `{ ${command}; } > ${name}`], { cwd: tree.path });
    assert.equal(result.code, 0, result.stderr);
    return name;
  }

  it('sha256sum -c verifies what vigil wrote', async () => {
    await manifest(
      'ours.sha256',
      `node ${join(import.meta.dirname, '../dist/cli.js')} hash --algo sha256 a a.txt back* new* many`,
    );
    const theirs = await run('sha256sum', ['-c', 'ours.sha256'], { cwd: tree.path });
    assert.equal(theirs.code, 0, theirs.stderr);
    assert.equal(lines(theirs.stdout).length, 305);
    assert.ok(lines(theirs.stdout).every((l) => l.endsWith(': OK')));
  });

  it('b3sum --check verifies what vigil wrote', async () => {
    await manifest('ours.b3', `node ${join(import.meta.dirname, '../dist/cli.js')} hash a a.txt back* new* many`);
    const theirs = await run('b3sum', ['--check', 'ours.b3'], { cwd: tree.path });
    assert.equal(theirs.code, 0, theirs.stderr);
    assert.equal(lines(theirs.stdout).length, 305);
  });

  it('verifies what sha256sum wrote (with --algo sha256), printing what sha256sum -c prints', async () => {
    await manifest('theirs.sha256', `sha256sum a/x a.txt back* new* many/*`);
    const ours = await vigil(['hash', '--algo', 'sha256', '--check', 'theirs.sha256'], { cwd: tree.path });
    const theirs = await run('sha256sum', ['-c', 'theirs.sha256'], { cwd: tree.path });
    assert.equal(ours.code, 0, ours.stderr);
    assert.deepEqual(ours.stdout, theirs.stdout);
  });

  it('verifies what b3sum wrote, printing what b3sum --check prints', async () => {
    await manifest('theirs.b3', `b3sum a/x a.txt back* new* many/*`);
    const ours = await vigil(['hash', '-c', 'theirs.b3'], { cwd: tree.path });
    const theirs = await run('b3sum', ['--check', 'theirs.b3'], { cwd: tree.path });
    assert.equal(ours.code, 0, ours.stderr);
    assert.deepEqual(ours.stdout, theirs.stdout);
  });

  it('verifies BSD-tag lines (sha256sum --tag), choosing the algorithm from the tag', async () => {
    await manifest('tagged', `sha256sum --tag a.txt back* new* && md5sum --tag a0`);
    const ours = await vigil(['hash', '-c', 'tagged'], { cwd: tree.path });
    assert.equal(ours.code, 0, ours.stderr);
    assert.equal(lines(ours.stdout).length, 4);
  });

  it('reports FAILED and FAILED open or read as sha256sum does, with its warnings, and exits 1', async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, 'good'), 'good\n');
      writeFileSync(join(dir.path, 'bad'), 'bad\n');
      writeFileSync(join(dir.path, 'gone'), 'gone\n');
      await run('sh', ['-c', 'sha256sum good bad gone > SUMS && echo junk >> SUMS'], { cwd: dir.path });
      appendFileSync(join(dir.path, 'bad'), 'changed\n');
      rmSync(join(dir.path, 'gone'));
      const ours = await vigil(['hash', '-a', 'sha256', '-c', 'SUMS'], { cwd: dir.path });
      const theirs = await run('sha256sum', ['-c', 'SUMS'], { cwd: dir.path });
      assert.equal(ours.code, 1);
      assert.equal(theirs.code, 1);
      assert.deepEqual(ours.stdout.toString(), theirs.stdout.toString());
      assert.deepEqual(ours.stdout.toString(), 'good: OK\nbad: FAILED\ngone: FAILED open or read\n');
      assert.equal(
        ours.stderr,
        theirs.stderr.replaceAll('sha256sum:', 'vigil:'),
        'the same diagnostics as sha256sum, under our name',
      );

      const quiet = await vigil(['hash', '-a', 'sha256', '-c', 'SUMS', '--quiet'], { cwd: dir.path });
      assert.equal(quiet.stdout.toString(), 'bad: FAILED\ngone: FAILED open or read\n');
      assert.equal(quiet.code, 1);

      const status = await vigil(['hash', '-a', 'sha256', '-c', 'SUMS', '--status'], { cwd: dir.path });
      assert.equal(status.stdout.toString(), '');
      assert.equal(status.code, 1);

      const warn = await vigil(['hash', '-a', 'sha256', '-c', 'SUMS', '--warn'], { cwd: dir.path });
      const theirWarn = await run('sha256sum', ['-c', 'SUMS', '--warn'], { cwd: dir.path });
      assert.match(warn.stderr, /SUMS: 4: improperly formatted SHA256 checksum line/);
      // The same lines; a malformed line is warned about as read, before the files ahead of it finish.
      const sorted = (text: string) => text.split('\n').sort();
      assert.deepEqual(sorted(warn.stderr), sorted(theirWarn.stderr.replaceAll('sha256sum:', 'vigil:')));
    } finally {
      dir.cleanup();
    }
  });

  it('--ignore-missing skips missing files; --strict fails on malformed lines', async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, 'here'), 'here\n');
      writeFileSync(join(dir.path, 'gone'), 'gone\n');
      await run('sh', ['-c', 'sha256sum here gone > SUMS && echo junk >> SUMS && rm gone'], { cwd: dir.path });
      const ignoring = await vigil(['hash', '-a', 'sha256', '-c', 'SUMS', '--ignore-missing'], { cwd: dir.path });
      assert.equal(ignoring.stdout.toString(), 'here: OK\n');
      assert.equal(ignoring.code, 0, 'a malformed line alone does not fail without --strict');
      const strict = await vigil(['hash', '-a', 'sha256', '-c', 'SUMS', '--ignore-missing', '--strict'], {
        cwd: dir.path,
      });
      assert.equal(strict.code, 1);

      writeFileSync(join(dir.path, 'ONLY_MISSING'), `${'0'.repeat(64)}  gone\n`);
      const nothing = await vigil(['hash', '-a', 'sha256', '-c', 'ONLY_MISSING', '--ignore-missing'], {
        cwd: dir.path,
      });
      assert.equal(nothing.code, 1);
      assert.match(nothing.stderr, /ONLY_MISSING: no file was verified/);

      writeFileSync(join(dir.path, 'JUNK'), 'junk\n');
      const junk = await vigil(['hash', '-c', 'JUNK'], { cwd: dir.path });
      assert.equal(junk.code, 1);
      assert.match(junk.stderr, /JUNK: no properly formatted checksum lines found/);
    } finally {
      dir.cleanup();
    }
  });

  it('reads the manifest from stdin with -c -', async () => {
    const sums = await run('sha256sum', ['a.txt'], { cwd: tree.path });
    const ours = await vigil(['hash', '-a', 'sha256', '-c', '-'], { cwd: tree.path, input: sums.stdout });
    assert.equal(ours.stdout.toString(), 'a.txt: OK\n');
    assert.equal(ours.code, 0);
  });

  it('a directory listed in a manifest is FAILED open or read, as in sha256sum', async () => {
    const ours = await vigil(['hash', '-a', 'sha256', '-c', '-'], { cwd: tree.path, input: `${'0'.repeat(64)}  a\n` });
    assert.equal(ours.stdout.toString(), 'a: FAILED open or read\n');
    assert.match(ours.stderr, /vigil: a: Is a directory/);
    assert.equal(ours.code, 1);
  });

  it('exits 2 when the manifest cannot be opened, naming it', async () => {
    const ours = await vigil(['hash', '-c', 'no-such-manifest'], { cwd: tree.path });
    assert.equal(ours.code, 2);
    assert.match(ours.stderr, /no-such-manifest/);
  });
});
