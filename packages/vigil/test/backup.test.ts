/**
 * vigil backup / snapshots / verify / restore through the built CLI: round trip, dedup,
 * the fast path, corruption found by verify, unreadable sources (exit 3), a crashing worker
 * (no snapshot), and the lock.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bytesUnder, describeTree, makeSourceTree, runUntilPoint, snapshotIds } from './backup-helpers.js';
import { tempDir, vigil } from './helpers.js';

describe('vigil backup and restore', () => {
  let dir: { path: string; cleanup: () => void };
  const at = (...names: string[]) => join(dir.path, ...names);
  before(() => {
    dir = tempDir('vigil-backup-');
  });
  after(() => dir.cleanup());

  it('round-trips a tree: restore is byte-identical with the same modes, mtimes and symlinks', async () => {
    makeSourceTree(at('rt-src'));
    const backup = await vigil(['backup', at('rt-src'), '--to', at('rt-repo')]);
    assert.equal(backup.code, 0, backup.stderr);
    const restored = await vigil(['restore', at('rt-repo'), 'latest', at('rt-out')]);
    assert.equal(restored.code, 0, restored.stderr);
    const copy = join(at('rt-out'), at('rt-src'));
    execFileSync('diff', ['-r', '--no-dereference', at('rt-src'), copy]);
    assert.deepEqual(describeTree(copy), describeTree(at('rt-src')));
    // Restoring again over the same target refuses to overwrite, and --overwrite replaces.
    const again = await vigil(['restore', at('rt-repo'), 'latest', at('rt-out')]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists \(use --overwrite/);
    writeFileSync(join(copy, 'docs', 'f1.txt'), 'clobbered\n');
    const forced = await vigil(['restore', at('rt-repo'), 'latest', at('rt-out'), '--overwrite']);
    assert.equal(forced.code, 0, forced.stderr);
    execFileSync('diff', ['-r', '--no-dereference', at('rt-src'), copy]);
  });

  it('stores the same snapshot and objects with the native reader and the JavaScript one', async () => {
    makeSourceTree(at('rd-src'));
    // Bigger than the native reader's arena (1 MiB): read by the JavaScript path in both runs.
    writeFileSync(at('rd-src', 'big.bin'), Buffer.alloc(1536 * 1024, 7));
    linkSync(at('rd-src', 'private'), at('rd-src', 'private-link'));
    const snapshotOf = async (repo: string, env: NodeJS.ProcessEnv) => {
      const backup = await vigil(['backup', at('rd-src'), '--to', at(repo), '--json'], { env });
      assert.equal(backup.code, 0, backup.stderr);
      const list = JSON.parse((await vigil(['snapshots', at(repo), '--json'])).stdout.toString()) as {
        files: number;
        size: number;
        newBytes: number;
      }[];
      const objects = execFileSync('find', ['objects', '-type', 'f'], { cwd: at(repo) })
        .toString()
        .split('\n')
        .sort();
      const restored = await vigil(['restore', at(repo), 'latest', at(`${repo}-out`)]);
      assert.equal(restored.code, 0, restored.stderr);
      const copy = join(at(`${repo}-out`), at('rd-src'));
      execFileSync('diff', ['-r', '--no-dereference', at('rd-src'), copy]);
      assert.deepEqual(describeTree(copy), describeTree(at('rd-src')));
      return { files: list[0]!.files, size: list[0]!.size, newBytes: list[0]!.newBytes, objects };
    };
    const native = await snapshotOf('rd-native', {});
    const js = await snapshotOf('rd-js', { VIGIL_NATIVE: '0' });
    assert.deepEqual(js, native);
    assert.ok(native.objects.length > 20, `objects: ${native.objects.length}`);
  });

  it('without the native addon (no syncfs), objects are fsynced one by one and the backup still verifies', async () => {
    makeSourceTree(at('nosync-src'));
    // No addon: the one-flush step cannot call syncfs and falls back to fsync per object.
    const backup = await vigil(['backup', at('nosync-src'), '--to', at('nosync-repo')], { env: { VIGIL_NATIVE: '0' } });
    assert.equal(backup.code, 0, backup.stderr);
    const verified = await vigil(['verify', at('nosync-repo')]);
    assert.equal(verified.code, 0, verified.stderr);
    const restored = await vigil(['restore', at('nosync-repo'), 'latest', at('nosync-out')]);
    assert.equal(restored.code, 0, restored.stderr);
    execFileSync('diff', ['-r', '--no-dereference', at('nosync-src'), join(at('nosync-out'), at('nosync-src'))]);
  });

  it('restores only the PATHs asked for', async () => {
    const restored = await vigil([
      'restore',
      at('rt-repo'),
      'latest',
      at('part-out'),
      join(at('rt-src'), 'docs', 'deep'),
    ]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.deepEqual(readdirSync(join(at('part-out'), at('rt-src'))), ['docs']);
    assert.deepEqual(readdirSync(join(at('part-out'), at('rt-src'), 'docs')), ['deep']);
  });

  it('stores a renamed 100 MB file once: the second snapshot adds almost nothing', async () => {
    mkdirSync(at('dd-src'));
    const big = at('dd-src', 'big.bin');
    execFileSync('truncate', ['-s', '100M', big]);
    const fd = openSync(big, 'r+');
    writeSync(fd, Buffer.from(`unique ${process.pid} ${Date.now()}`), 0, undefined, 50 * 1024 * 1024);
    closeSync(fd);
    const first = await vigil(['backup', at('dd-src'), '--to', at('dd-repo')]);
    assert.equal(first.code, 0, first.stderr);
    const sizeAfterFirst = bytesUnder(at('dd-repo'));
    assert.ok(sizeAfterFirst >= 100 * 1024 * 1024, `repository holds the file once (${sizeAfterFirst})`);
    renameSync(big, at('dd-src', 'renamed.bin'));
    const second = await vigil(['backup', at('dd-src'), '--to', at('dd-repo'), '--json']);
    assert.equal(second.code, 0, second.stderr);
    const growth = bytesUnder(at('dd-repo')) - sizeAfterFirst;
    assert.ok(growth < 64 * 1024, `the rename added ${growth} bytes`);
    const header = (JSON.parse(second.stdout.toString()) as { snapshot: { newBytes: number; totalBytes: number } })
      .snapshot;
    assert.equal(header.newBytes, 0);
    assert.equal(header.totalBytes, 100 * 1024 * 1024);
  });

  it('lists snapshots with files, sizes and new bytes, and names the newest "latest"', async () => {
    const result = await vigil(['snapshots', at('dd-repo'), '--json']);
    assert.equal(result.code, 0, result.stderr);
    const list = JSON.parse(result.stdout.toString()) as { id: string; files: number; newBytes: number }[];
    assert.equal(list.length, 2);
    assert.deepEqual(
      list.map((s) => [s.files, s.newBytes]),
      [
        [1, 100 * 1024 * 1024],
        [1, 0],
      ],
    );
    const text = await vigil(['snapshots', at('dd-repo')]);
    assert.match(text.stdout.toString(), new RegExp(`${list[1]?.id}.*100\\.0 MiB  0 B`));
  });

  it('does not read unchanged files again, and reads a changed one', async () => {
    makeSourceTree(at('fp-src'));
    // Files written within the racy window are read again however they look: age them.
    for (const name of ['same-a', 'private']) execFileSync('touch', ['-d', '2021-05-05', at('fp-src', name)]);
    assert.equal((await vigil(['backup', at('fp-src'), '--to', at('fp-repo')])).code, 0);
    appendFileSync(at('fp-src', 'private'), 'more\n');
    execFileSync('touch', ['-d', '2021-05-06', at('fp-src', 'private')]);
    // A worker that reads 'same-a' crashes: had the fast path not trusted it, this run would fail.
    const second = await vigil(['backup', at('fp-src'), '--to', at('fp-repo'), '--json'], {
      observed: true,
      env: { VIGIL_TEST_CRASH_ON: 'same-a' },
    });
    assert.equal(second.code, 0, second.stderr);
    const { snapshot } = JSON.parse(second.stdout.toString()) as { snapshot: { newObjects: number } };
    assert.equal(snapshot.newObjects, 1);
  });

  it('verify finds a damaged object and a missing one, and names a file that uses them', async () => {
    makeSourceTree(at('vf-src'));
    assert.equal((await vigil(['backup', at('vf-src'), '--to', at('vf-repo')])).code, 0);
    assert.equal((await vigil(['verify', at('vf-repo'), 'latest'])).code, 0);
    const hashOf = (name: string) =>
      execFileSync('b3sum', ['--no-names', at('vf-src', ...name.split('/'))])
        .toString()
        .trim();
    const damaged = hashOf('docs/f3.txt');
    const objectPath = at('vf-repo', 'objects', damaged.slice(0, 2), damaged);
    chmodSync(objectPath, 0o644);
    appendFileSync(objectPath, 'bit rot');
    const missing = hashOf('script.sh');
    execFileSync('rm', [at('vf-repo', 'objects', missing.slice(0, 2), missing)]);
    const result = await vigil(['verify', at('vf-repo')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`object ${damaged} is corrupt \\(holds .*docs/f3.txt`));
    assert.match(result.stderr, new RegExp(`object ${missing} is missing \\(holds .*script.sh`));
    assert.match(result.stdout.toString(), /2 problem\(s\)/);
    // Restore refuses to write the damaged content as if it were good.
    const restored = await vigil(['restore', at('vf-repo'), 'latest', at('vf-out')]);
    assert.equal(restored.code, 1);
    assert.match(restored.stderr, /f3\.txt: its stored object .* is damaged/);
    assert.equal(existsSync(join(at('vf-out'), at('vf-src'), 'docs', 'f3.txt')), false);
  });

  it('keeps an incomplete snapshot when a source file cannot be read, names it, and exits 3', async () => {
    makeSourceTree(at('ur-src'));
    chmodSync(at('ur-src', 'private'), 0o000);
    mkdirSync(at('ur-repo'));
    const result = await vigil(['backup', at('ur-src'), '--to', at('ur-repo'), '--json'], { unprivileged: true });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /ur-src\/private: Permission denied/);
    assert.match(result.stderr, /is incomplete/);
    const list = JSON.parse((await vigil(['snapshots', at('ur-repo'), '--json'])).stdout.toString()) as {
      incomplete: boolean;
      unreadable: string[];
      files: number;
    }[];
    assert.equal(list.length, 1);
    assert.equal(list[0]?.incomplete, true);
    assert.deepEqual(list[0]?.unreadable, [at('ur-src', 'private')]);
  });

  it('writes no snapshot when a worker dies, keeps the earlier ones, and the next run succeeds', async () => {
    makeSourceTree(at('wc-src'));
    assert.equal((await vigil(['backup', at('wc-src'), '--to', at('wc-repo')])).code, 0);
    const before = await snapshotIds(at('wc-repo'));
    writeFileSync(at('wc-src', 'crash-here'), 'the worker that reads this dies\n');
    const crashed = await vigil(['backup', at('wc-src'), '--to', at('wc-repo')], {
      observed: true,
      env: { VIGIL_TEST_CRASH_ON: 'crash-here' },
    });
    assert.equal(crashed.code, 2);
    assert.match(crashed.stderr, /a backup worker died .*no snapshot was written/);
    assert.deepEqual(await snapshotIds(at('wc-repo')), before);
    assert.equal((await vigil(['verify', at('wc-repo')])).code, 0);
    const next = await vigil(['backup', at('wc-src'), '--to', at('wc-repo')]);
    assert.equal(next.code, 0, next.stderr);
    assert.equal((await snapshotIds(at('wc-repo'))).length, 2);
    assert.deepEqual(readdirSync(at('wc-repo', 'tmp')), []);
  });

  it('refuses a second concurrent backup with exit 4, and takes over the lock of a dead run', async () => {
    makeSourceTree(at('lk-src'));
    const first = await runUntilPoint(['backup', at('lk-src'), '--to', at('lk-repo')], 'before-commit');
    const second = await vigil(['backup', at('lk-src'), '--to', at('lk-repo')]);
    assert.equal(second.code, 4);
    assert.match(second.stderr, new RegExp(`locked by process ${first.pid} on ${hostname()}`));
    const forget = await vigil(['forget', at('lk-repo'), '--keep-last', '1']);
    assert.equal(forget.code, 4);
    process.kill(first.pid, 'SIGKILL');
    await first.exited;
    const third = await vigil(['backup', at('lk-src'), '--to', at('lk-repo')]);
    assert.equal(third.code, 0, third.stderr);
    assert.equal((await snapshotIds(at('lk-repo'))).length, 1);
    assert.equal(existsSync(at('lk-repo', 'lock')), false);
  });

  it('rejects bad usage with exit 2', async () => {
    assert.equal((await vigil(['backup', at('rt-src')])).code, 2);
    assert.equal((await vigil(['backup', at('rt-src'), '--to', at('bu-repo'), '--keep-last', 'x'])).code, 2);
    assert.equal((await vigil(['forget', at('rt-repo')])).code, 2);
    assert.equal((await vigil(['snapshots', at('rt-src')])).code, 2);
    assert.equal((await vigil(['restore', at('rt-repo'), 'nope', at('x')])).code, 2);
  });
});
