/**
 * vigil backup / snapshots / verify / restore through the built CLI, on repository format 2:
 * round trip, dedup, the fast path, damage found by verify, unreadable sources (exit 3), a
 * crashing worker (no snapshot), the lock, and passwords (exit 5).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadIndex } from '../src/repo/index-load.js';
import { Repository } from '../src/repo/repository.js';
import { bytesUnder, describeTree, makeSourceTree, runUntilPoint, snapshotIds } from './backup-helpers.js';
import { run, tempDir, vigil } from './helpers.js';

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
    // Files were restored on worker threads, which close what the addon opened: no Node warning.
    assert.doesNotMatch(restored.stderr, /File descriptor \d+ closed/);
    // Restoring again over the same target: what is there as recorded is counted, not named;
    // a file that differs is refused and named (--overwrite never, the default) ...
    const nonDirectories = Object.values(describeTree(at('rt-src'))).filter((e) => e.type !== 'dir').length;
    writeFileSync(join(copy, 'docs', 'f1.txt'), 'clobbered\n');
    const again = await vigil(['restore', at('rt-repo'), 'latest', at('rt-out')]);
    assert.equal(again.code, 1, again.stderr);
    assert.equal(again.stderr.trim().split('\n').length, 1, again.stderr);
    assert.match(again.stderr, /docs\/f1\.txt: exists in the target and differs from the snapshot: left as it is/);
    assert.match(
      again.stdout.toString(),
      new RegExp(`; ${nonDirectories - 1} entries already there as recorded; 1 failed`),
    );
    assert.equal(readFileSync(join(copy, 'docs', 'f1.txt'), 'utf8'), 'clobbered\n');
    // ... and --overwrite if-changed replaces it alone; a bare --overwrite replaces everything.
    const changed = await vigil(['restore', at('rt-repo'), 'latest', at('rt-out'), '--overwrite', 'if-changed']);
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stdout.toString(), /^restored \d+ entries/);
    execFileSync('diff', ['-r', '--no-dereference', at('rt-src'), copy]);
    assert.deepEqual(describeTree(copy), describeTree(at('rt-src')));
    const forced = await vigil(['restore', at('rt-repo'), 'latest', at('rt-out'), '--overwrite']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.doesNotMatch(forced.stdout.toString(), /already there/);
    // Each file replaced (linked to a temporary name, renamed over the old one): as recorded, nothing left over.
    execFileSync('diff', ['-r', '--no-dereference', at('rt-src'), copy]);
    assert.deepEqual(describeTree(copy), describeTree(at('rt-src')));
    const bad = await vigil(['restore', at('rt-repo'), 'latest', at('rt-out'), '--overwrite', 'sometimes']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--overwrite takes never, if-changed, always; got "sometimes"/);
  });

  it('stores the same snapshot with the native reader and the JavaScript one', async () => {
    makeSourceTree(at('rd-src'));
    // Bigger than the native reader's arena (1 MiB): read in pieces by both.
    writeFileSync(at('rd-src', 'big.bin'), Buffer.alloc(1536 * 1024, 7));
    linkSync(at('rd-src', 'private'), at('rd-src', 'private-link'));
    const snapshotOf = async (repo: string, env: NodeJS.ProcessEnv) => {
      const backup = await vigil(['backup', at('rd-src'), '--to', at(repo), '--json'], { env });
      assert.equal(backup.code, 0, backup.stderr);
      // A file over 1 MiB is closed by the reader that opened it: Node warned on stderr for each one.
      assert.doesNotMatch(backup.stderr, /File descriptor \d+ closed/);
      const list = JSON.parse((await vigil(['snapshots', at(repo), '--json'])).stdout.toString()) as {
        stats: { files: number; dirs: number; symlinks: number; totalBytes: number; newBytes: number };
      }[];
      const restored = await vigil(['restore', at(repo), 'latest', at(`${repo}-out`)], { env });
      assert.equal(restored.code, 0, restored.stderr);
      const copy = join(at(`${repo}-out`), at('rd-src'));
      execFileSync('diff', ['-r', '--no-dereference', at('rd-src'), copy]);
      assert.deepEqual(describeTree(copy), describeTree(at('rd-src')));
      return list[0]?.stats;
    };
    const native = await snapshotOf('rd-native', {});
    const js = await snapshotOf('rd-js', { VIGIL_NATIVE: '0' });
    assert.deepEqual(js, native);
    assert.equal(native?.files, 28);
  });

  it('without the native addon, a backup is made, verifies and restores', async () => {
    makeSourceTree(at('nosync-src'));
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

  it('stores a renamed file once, and a sparse one as its data: the second snapshot adds almost nothing', async () => {
    mkdirSync(at('dd-src'));
    const big = at('dd-src', 'big.bin');
    writeFileSync(big, randomBytes(20 * 1024 * 1024));
    // 100 MiB of which 32 bytes are data: its holes are neither read nor stored.
    const sparse = at('dd-src', 'sparse.img');
    execFileSync('truncate', ['-s', '100M', sparse]);
    const fd = openSync(sparse, 'r+');
    writeSync(fd, Buffer.from(`unique ${process.pid} ${Date.now()}`.padEnd(32)), 0, undefined, 50 * 1024 * 1024);
    closeSync(fd);
    const first = await vigil(['backup', at('dd-src'), '--to', at('dd-repo')]);
    assert.equal(first.code, 0, first.stderr);
    const sizeAfterFirst = bytesUnder(at('dd-repo'));
    assert.ok(sizeAfterFirst >= 20 * 1024 * 1024, `the repository holds the random file (${sizeAfterFirst})`);
    assert.ok(sizeAfterFirst < 21 * 1024 * 1024, `and not the sparse file's holes (${sizeAfterFirst})`);
    renameSync(big, at('dd-src', 'renamed.bin'));
    const second = await vigil(['backup', at('dd-src'), '--to', at('dd-repo'), '--json']);
    assert.equal(second.code, 0, second.stderr);
    const growth = bytesUnder(at('dd-repo')) - sizeAfterFirst;
    assert.ok(growth < 64 * 1024, `the rename added ${growth} bytes`);
    const { stats } = (
      JSON.parse(second.stdout.toString()) as { snapshot: { stats: { newBytes: number; totalBytes: number } } }
    ).snapshot;
    assert.equal(stats.newBytes, 0);
    assert.ok(stats.totalBytes >= 20 * 1024 * 1024 + 32 && stats.totalBytes < 21 * 1024 * 1024, `${stats.totalBytes}`);
    const out = at('dd-out');
    assert.equal((await vigil(['restore', at('dd-repo'), 'latest', out])).code, 0);
    execFileSync('cmp', [sparse, join(out, sparse)]);
    assert.ok(statSync(join(out, sparse)).blocks * 512 < 1024 * 1024, 'the sparse file comes back sparse');
  });

  it('lists snapshots with files, sizes and new bytes, and names the newest "latest"', async () => {
    const result = await vigil(['snapshots', at('dd-repo'), '--json']);
    assert.equal(result.code, 0, result.stderr);
    const list = JSON.parse(result.stdout.toString()) as { id: string; stats: { files: number; newBytes: number } }[];
    assert.equal(list.length, 2);
    assert.deepEqual(
      list.map((s) => [s.stats.files, s.stats.newBytes > 0]),
      [
        [2, true],
        [2, false],
      ],
    );
    const text = await vigil(['snapshots', at('dd-repo')]);
    assert.match(text.stdout.toString(), new RegExp(`${list[1]?.id.slice(0, 8)}.*20\\.0 MiB  0 B`));
    const latest = await vigil(['restore', at('dd-repo'), list[1]?.id.slice(0, 8) ?? '', at('dd-out-2')]);
    assert.equal(latest.code, 0, latest.stderr);
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
    const { snapshot } = JSON.parse(second.stdout.toString()) as { snapshot: { stats: { newBlobs: number } } };
    assert.equal(snapshot.stats.newBlobs, 1);
  });

  it('verify finds a damaged chunk and a missing pack, and names the files they harm', async () => {
    makeSourceTree(at('vf-src'));
    assert.equal((await vigil(['backup', at('vf-src'), '--to', at('vf-repo')])).code, 0);
    assert.equal((await vigil(['verify', at('vf-repo'), 'latest'])).code, 0);
    // Where f3.txt's one chunk lies (the repository has no encryption: its keys are in its config).
    const repo = await Repository.open(at('vf-repo'), { password: async () => assert.fail('no password needed') });
    const place = (await loadIndex(repo.storage, repo.sealer)).index.find(
      repo.ids.id(readFileSync(at('vf-src', 'docs', 'f3.txt'))),
    );
    assert.ok(place, 'f3.txt is one blob');
    const packFile = at('vf-repo', 'data', place.packId.slice(0, 2), place.packId);
    const bytes = readFileSync(packFile);
    bytes[place.offset + 14] = (bytes[place.offset + 14] as number) ^ 0x10;
    chmodSync(packFile, 0o644);
    writeFileSync(packFile, bytes);
    const result = await vigil(['verify', at('vf-repo')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /docs\/f3\.txt: blob [0-9a-f]{16}: in pack/);
    assert.match(result.stderr, /does not hash to its name/);
    assert.match(result.stdout.toString(), /\d+ problems?; damaged snapshots: [0-9a-f]{8}/);
    // Restore refuses to write the damaged content as if it were good, and writes the rest.
    const restored = await vigil(['restore', at('vf-repo'), 'latest', at('vf-out')]);
    assert.equal(restored.code, 1);
    assert.match(restored.stderr, /f3\.txt: blob/);
    assert.equal(existsSync(join(at('vf-out'), at('vf-src'), 'docs', 'f3.txt')), false);
    assert.equal(
      readFileSync(join(at('vf-out'), at('vf-src'), 'docs', 'f4.txt'), 'utf8'),
      readFileSync(at('vf-src', 'docs', 'f4.txt'), 'utf8'),
    );
    // A pack removed by hand: every file with a chunk in it is named, and the verify still ends.
    execFileSync('rm', [packFile]);
    const missing = await vigil(['verify', at('vf-repo'), '--structure-only']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, new RegExp(`pack ${place.packId.slice(0, 16)} is listed by the index but missing`));
    assert.match(missing.stderr, /docs\/f3\.txt: blob [0-9a-f]{16}/);
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

  it('runs a second backup beside a live one, refuses forget beside it (exit 4), and drops the lock of a dead run', async () => {
    makeSourceTree(at('lk-src'));
    const first = await runUntilPoint(['backup', at('lk-src'), '--to', at('lk-repo')], 'before-commit');
    const second = await vigil(['backup', at('lk-src'), '--to', at('lk-repo')]);
    assert.equal(second.code, 0, second.stderr);
    const forget = await vigil(['forget', at('lk-repo'), '--keep-last', '1']);
    assert.equal(forget.code, 4);
    assert.match(forget.stderr, new RegExp(`locked by vigil backup \\(process ${first.pid} on ${hostname()}`));
    process.kill(first.pid, 'SIGKILL');
    await first.exited;
    const third = await vigil(['backup', at('lk-src'), '--to', at('lk-repo')]);
    assert.equal(third.code, 0, third.stderr);
    assert.equal((await snapshotIds(at('lk-repo'))).length, 2);
    assert.deepEqual(readdirSync(at('lk-repo', 'locks')), []);
  });

  it('encrypts when a password is given, and exits 5 on a wrong one, 2 with none (naming where to give it)', async () => {
    makeSourceTree(at('pw-src'));
    writeFileSync(at('pw-file'), 'a long passphrase\n');
    const made = await vigil(['backup', at('pw-src'), '--to', at('pw-repo'), '--password-file', at('pw-file')]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stderr, /made an encrypted repository/);
    const config = JSON.parse(readFileSync(at('pw-repo', 'vigil-repository.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(config.encryption, 'aes-256-gcm');
    assert.equal(config.masterKeys, undefined, 'no key in the clear');
    // The password file's trailing newline is not part of the password.
    const listed = await vigil(['snapshots', at('pw-repo')], { env: { VIGIL_PASSWORD: 'a long passphrase' } });
    assert.equal(listed.code, 0, listed.stderr);
    const wrong = await vigil(['restore', at('pw-repo'), 'latest', at('pw-out')], { env: { VIGIL_PASSWORD: 'nope' } });
    assert.equal(wrong.code, 5);
    assert.match(wrong.stderr, /wrong password/);
    assert.equal(existsSync(at('pw-out')), false, 'nothing written with a wrong password');
    const none = await vigil(['verify', at('pw-repo')], { env: { VIGIL_PASSWORD: '', VIGIL_PASSWORD_FILE: '' } });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no password for .*VIGIL_PASSWORD_FILE.*VIGIL_PASSWORD.*--password-file/);
    // Nothing of the tree is readable on the disk without the password.
    const grep = await run('grep', ['-rl', 'duplicate content', at('pw-repo')]);
    assert.equal(grep.code, 1, 'no file of the repository holds a file of the tree in the clear');
  });

  it('records a source reached through a symlink by its real path', async () => {
    mkdirSync(at('sl-real', 'd'), { recursive: true });
    writeFileSync(at('sl-real', 'd', 'f'), 'through a link\n');
    symlinkSync(at('sl-real'), at('sl-link'));
    const result = await vigil(['backup', at('sl-link'), '--to', at('sl-repo')]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((await vigil(['restore', at('sl-repo'), 'latest', at('sl-out')])).code, 0);
    assert.equal(readFileSync(join(at('sl-out'), at('sl-real'), 'd', 'f'), 'utf8'), 'through a link\n');
  });

  it('stores chunks as they are with --compression off, compressed by default', async () => {
    mkdirSync(at('cz-src'));
    writeFileSync(at('cz-src', 'text'), 'a line that compresses well\n'.repeat(100_000));
    for (const mode of ['off', 'auto']) {
      const result = await vigil(['backup', at('cz-src'), '--to', at(`cz-${mode}`), '--compression', mode, '--json']);
      assert.equal(result.code, 0, result.stderr);
    }
    assert.ok(bytesUnder(at('cz-off')) > 2_800_000, `off: ${bytesUnder(at('cz-off'))} bytes`);
    assert.ok(bytesUnder(at('cz-auto')) < 200_000, `auto: ${bytesUnder(at('cz-auto'))} bytes`);
  });

  it('refuses a format-1 repository, naming the way out', async () => {
    mkdirSync(at('v1-repo'));
    writeFileSync(at('v1-repo', 'vigil-repository.json'), '{"format":1}\n');
    const result = await vigil(['snapshots', at('v1-repo')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /format-1 repository.*restore its snapshots with the vigil that wrote it/);
  });

  it('rejects bad usage with exit 2', async () => {
    assert.equal((await vigil(['backup', at('rt-src'), '--to', at('bu-repo'), '--compression', 'fast'])).code, 2);
    assert.equal((await vigil(['backup', at('rt-src')])).code, 2);
    assert.equal((await vigil(['backup', at('rt-src'), '--to', at('bu-repo'), '--keep-last', 'x'])).code, 2);
    assert.equal((await vigil(['forget', at('rt-repo')])).code, 2);
    assert.equal((await vigil(['snapshots', at('rt-src')])).code, 2);
    assert.equal((await vigil(['restore', at('rt-repo'), 'nope', at('x')])).code, 2);
  });
});
