/**
 * vigil restore: what it restores (--include, --exclude, PATHs the snapshot lacks) and hard
 * links made by the main thread while workers restore files in batches.
 */
import assert from 'node:assert/strict';
import { existsSync, linkSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir, vigil } from './helpers.js';

/** More files than one batch of a restore worker holds (48), in several directories. */
const MANY = 130;

describe('vigil restore: choices and hard links', () => {
  let dir: { path: string; cleanup: () => void };
  const at = (...names: string[]) => join(dir.path, ...names);
  const restored = (out: string, ...names: string[]) => join(at(out), at('src'), ...names);

  before(async () => {
    dir = tempDir('vigil-restore-');
    mkdirSync(at('src', 'many'), { recursive: true });
    mkdirSync(at('src', 'etc', 'ssh'), { recursive: true });
    mkdirSync(at('src', 'logs'));
    for (let i = 0; i < MANY; i++) writeFileSync(at('src', 'many', `f${String(i).padStart(3, '0')}`), `file ${i}\n`);
    writeFileSync(at('src', 'etc', 'app.conf'), 'a=1\n');
    writeFileSync(at('src', 'etc', 'ssh', 'sshd.conf'), 'Port 22\n');
    writeFileSync(at('src', 'etc', 'motd'), 'hello\n');
    writeFileSync(at('src', 'logs', 'today.log'), 'log\n');
    // Links whose first names are in the first and the last batch of the files before them.
    linkSync(at('src', 'many', 'f000'), at('src', 'z-first'));
    linkSync(at('src', 'many', `f${MANY - 1}`), at('src', 'z-last'));
    const backup = await vigil(['backup', at('src'), '--to', at('repo')]);
    assert.equal(backup.code, 0, backup.stderr);
  });
  after(() => dir.cleanup());

  it('restores hard links as links while workers restore the files in batches', async () => {
    const result = await vigil(['restore', at('repo'), 'latest', at('all'), '--jobs', '2']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readdirSync(restored('all', 'many')).length, MANY);
    const ino = (...names: string[]) => statSync(restored('all', ...names)).ino;
    assert.equal(ino('z-first'), ino('many', 'f000'));
    assert.equal(ino('z-last'), ino('many', `f${MANY - 1}`));
    assert.equal(statSync(restored('all', 'z-last')).nlink, 2);
  });

  it('--include restores what matches and the directories above it; --exclude leaves out what matches', async () => {
    const included = await vigil(['restore', at('repo'), 'latest', at('inc'), '--include', '*.conf']);
    assert.equal(included.code, 0, included.stderr);
    assert.deepEqual(readdirSync(restored('inc')), ['etc']);
    assert.deepEqual(readdirSync(restored('inc', 'etc')).sort(), ['app.conf', 'ssh']);
    assert.deepEqual(readdirSync(restored('inc', 'etc', 'ssh')), ['sshd.conf']);

    const excluded = await vigil([
      'restore',
      at('repo'),
      'latest',
      at('exc'),
      '--exclude',
      'many',
      '--exclude',
      '*.log',
    ]);
    assert.equal(excluded.code, 0, excluded.stderr);
    assert.deepEqual(readdirSync(restored('exc')).sort(), ['etc', 'logs', 'z-first', 'z-last']);
    assert.deepEqual(readdirSync(restored('exc', 'logs')), []);
    // The links' first names were left out: the first name met is restored as a file.
    assert.equal(statSync(restored('exc', 'z-first')).size, 'file 0\n'.length);
  });

  it('a PATH the snapshot does not hold: exit 1, named, and nothing restored', async () => {
    const result = await vigil(['restore', at('repo'), 'latest', at('none'), at('src', 'etc'), at('src', 'nope')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`${at('src', 'nope')}: not in snapshot [0-9a-f]{8}`));
    assert.doesNotMatch(result.stderr, /src\/etc:/);
    assert.equal(result.stdout.toString(), '');
    assert.equal(existsSync(at('none')), false);
  });
});
