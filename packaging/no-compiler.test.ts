/**
 * `npm install` of the repository on a machine without a C compiler (CC and CXX name a
 * command that fails): it passes, vigil says in one line that its native reader was not
 * built, `npx vigil` works and hashes with the JavaScript reader, and the baseline commands,
 * whose better-sqlite3 could not be built, say what to install. The copy sits in a fresh
 * mkdtemp directory (mode 0700), as a clone in `mktemp -d` would.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { manifest, REPO, run, runOk, scratch } from './helpers.js';

const dir = scratch('vigil-no-cc-');
const clone = join(dir.path, 'repo');
const NO_COMPILER = { CC: 'false', CXX: 'false' };
const vigil = manifest('vigil');
let install: { code: number | null; stdout: string; stderr: string };

before(async () => {
  // The files a fresh clone has: tracked ones plus new ones not ignored.
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO })
    .toString()
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(REPO, file)));
  for (const file of files) {
    mkdirSync(dirname(join(clone, file)), { recursive: true });
    copyFileSync(join(REPO, file), join(clone, file));
  }
  install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: clone,
    env: NO_COMPILER,
  });
});
after(() => dir.cleanup());

describe('npm install without a C compiler', () => {
  it('passes, and says in one line that vigil uses its JavaScript reader', () => {
    assert.equal(install.code, 0, `${install.stdout}\n${install.stderr}`);
    const output = `${install.stdout}\n${install.stderr}`;
    const notes = output.split('\n').filter((line) => line.includes('native reader not built'));
    assert.ok(notes.length > 0, output);
    for (const note of notes) assert.match(note, /vigil uses its JavaScript reader/);
    assert.doesNotMatch(output, /gyp ERR!/, "node-gyp's pages of output stay hidden");
    assert.equal(existsSync(join(clone, 'packages/vigil/build/Release/vigil_native.node')), false);
  });

  it('leaves npx vigil working: it prints its version and hashes with the JavaScript reader', async () => {
    const version = await runOk('npx', ['--no-install', 'vigil', '--version'], { cwd: clone });
    assert.equal(version.stdout.trim(), vigil.version);
    const file = join(dir.path, 'a.txt');
    writeFileSync(file, 'hashed without the native reader\n');
    const hashed = await runOk('npx', ['--no-install', 'vigil', 'hash', '-a', 'sha256', file], { cwd: clone });
    const expected = execFileSync('sha256sum', [file]).toString();
    assert.equal(hashed.stdout, expected);
  });

  it('makes the baseline commands exit 2 naming better-sqlite3 and what to install', async () => {
    const baseline = await run('npx', ['--no-install', 'vigil', 'baseline', clone, '--db', join(dir.path, 'b.db')], {
      cwd: clone,
    });
    assert.equal(baseline.code, 2, baseline.stderr);
    assert.match(baseline.stderr, /baselines need the package better-sqlite3/);
    assert.match(baseline.stderr, /install a C compiler/);
  });
});
