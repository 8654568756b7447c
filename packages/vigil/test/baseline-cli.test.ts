/**
 * vigil baseline / check / accept / status through the built CLI: every group of the report,
 * the fast path (which files are read), exit codes, and the edge cases of issue 7.
 */

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ALGORITHMS } from '../src/checksums/algorithms.js';
import { ENTRIES_PER_BATCH } from '../src/fs/batch-reads.js';
import { INVALID_UTF8_NAME } from './fixtures.js';
import { lines, OBSERVED_CLI, tempDir, vigil } from './helpers.js';

/**
 * Checks that watch or disturb reads run the test entry (OBSERVED_CLI, `observed: true`): its
 * workers log each path they read to VIGIL_TEST_READ_LOG, grow files named "*grows" between
 * their read and second fstat, and hold files named "*blocks" (writing READING to stderr)
 * until the file VIGIL_TEST_RELEASE appears (see test/support/observed-reader.mjs).
 */
const HOUR_AGO = new Date(Date.now() - 3_600_000);

describe('vigil baseline, check, accept, status', () => {
  let dir: { path: string; cleanup: () => void };
  const at = (...names: string[]) => join(dir.path, ...names);
  const readLog = () =>
    existsSync(at('reads.log')) ? readFileSync(at('reads.log'), 'latin1').split('\n').filter(Boolean) : [];
  const hookEnv = () => ({ VIGIL_TEST_READ_LOG: at('reads.log') });

  /** A tree whose files were last written an hour ago (outside the racy window). */
  function makeTree(name: string, files: Record<string, string>): string {
    const root = at(name);
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), content);
      utimesSync(join(root, path), HOUR_AGO, HOUR_AGO);
    }
    return root;
  }

  before(() => {
    dir = tempDir();
  });
  after(() => dir.cleanup());

  it('a baseline checked by a later run: no changes, exit 0, and unchanged files are not read', async () => {
    const root = makeTree('calm', { a: 'alpha\n', 'sub/b': 'beta\n', 'sub/deeper/c': 'gamma\n' });
    const made = await vigil(['baseline', root]);
    assert.equal(made.code, 0, made.stderr);
    assert.ok(existsSync(join(root, '.vigil', 'baseline.db')));
    rmSync(at('reads.log'), { force: true });
    const checked = await vigil(['check', root], { observed: true, env: hookEnv() });
    assert.equal(checked.code, 0, checked.stderr);
    assert.match(checked.stdout.toString(), /^No changes \(5 entries checked, 0 read, 3 trusted unread\)\.\n$/);
    assert.deepEqual(readLog(), []);
    const full = await vigil(['check', '--full', root], { observed: true, env: hookEnv() });
    assert.equal(full.code, 0, full.stderr);
    assert.equal(readLog().length, 3);
  });

  it('records and checks with every algorithm --algo offers (sha3, blake2b, ... included)', async () => {
    for (const algorithm of ALGORITHMS) {
      const root = makeTree(`algo-${algorithm}`, { kept: 'kept\n', edited: 'before\n' });
      const made = await vigil(['baseline', '--algo', algorithm, root]);
      assert.equal(made.code, 0, `${algorithm}: ${made.stderr}`);
      writeFileSync(join(root, 'edited'), 'after, longer\n');
      const checked = await vigil(['check', '--full', root]);
      assert.equal(checked.code, 1, `${algorithm}: ${checked.stderr}`);
      assert.match(checked.stdout.toString(), /modified \(1\):\n {2}~ edited \(content/, algorithm);
    }
  });

  it('reports every group, reads only what changed, and exits 1', async () => {
    const root = makeTree('busy', {
      same: 'unchanged\n',
      edit: 'before\n',
      chmod: 'mode\n',
      chown: 'owner\n',
      touch: 'touched\n',
      gone: 'removed\n',
      'from/moving': 'content that moves\n',
      tofile: 'becomes a directory\n',
      tolink: 'becomes a symlink\n',
    });
    symlinkSync('same', join(root, 'link'));
    assert.equal((await vigil(['baseline', root])).code, 0);
    writeFileSync(join(root, 'edit'), 'after!\n');
    chmodSync(join(root, 'chmod'), 0o600);
    chownSync(join(root, 'chown'), 65534, 65534);
    utimesSync(join(root, 'touch'), new Date(), new Date());
    unlinkSync(join(root, 'gone'));
    mkdirSync(join(root, 'to'));
    execFileSync('mv', [join(root, 'from', 'moving'), join(root, 'to', 'moved')]);
    writeFileSync(join(root, 'new'), 'added\n');
    unlinkSync(join(root, 'tofile'));
    mkdirSync(join(root, 'tofile'));
    unlinkSync(join(root, 'tolink'));
    symlinkSync('same', join(root, 'tolink'));
    unlinkSync(join(root, 'link'));
    symlinkSync('edit', join(root, 'link'));
    rmSync(at('reads.log'), { force: true });
    const result = await vigil(['check', root], { observed: true, env: hookEnv() });
    assert.equal(result.code, 1, result.stderr);
    const text = result.stdout.toString();
    for (const expected of [
      /added \(2\):\n {2}\+ new\n {2}\+ to\/\n/,
      /removed \(1\):\n {2}- gone\n/,
      /modified \(1\):\n {2}~ edit /,
      /moved \(1\):\n {2}> from\/moving -> to\/moved\n/,
      /\* chmod \(mode 0644 -> 0600\)/,
      /\* chown \(owner 0:0 -> 65534:65534\)/,
      /\* link \(link target same -> edit\)/,
      /\* tofile \(mode 0644 -> 0755, type file -> dir\)/,
      /\* tolink \(mode 0644 -> 0777, type file -> symlink\)/,
      /touched \(1\):\n {2}\. touch /,
      /Summary: 2 added, 1 removed, 1 modified, 1 moved, 5 metadata, 1 touched/,
    ]) {
      assert.match(text, expected);
    }
    assert.doesNotMatch(text, /[~.+-] same\n/);
    const reads = readLog()
      .map((p) => p.slice(root.length + 1))
      .sort();
    // chmod and chown move the ctime: the fast path cannot trust those two either.
    assert.deepEqual(reads, ['chmod', 'chown', 'edit', 'new', 'to/moved', 'touch']);
  });

  it('catches content changed under a restored mtime (ctime moved), and silent corruption only with --full', async () => {
    const root = makeTree('sly', { quiet: 'original\n', rotten: 'good bits\n' });
    assert.equal((await vigil(['baseline', root])).code, 0);
    writeFileSync(join(root, 'quiet'), 'replaced\n');
    utimesSync(join(root, 'quiet'), HOUR_AGO, HOUR_AGO);
    // Corruption the file system does not see: the recorded hash no longer matches the bytes.
    const db = new Database(join(root, '.vigil', 'baseline.db'));
    db.prepare("UPDATE entries SET hash = zeroblob(32) WHERE path = CAST('rotten' AS BLOB)").run();
    db.close();
    const quick = await vigil(['check', '--ndjson', root]);
    assert.equal(quick.code, 1);
    assert.deepEqual(
      lines(quick.stdout)
        .slice(0, -1)
        .map((l) => [JSON.parse(l).type, JSON.parse(l).path]),
      [['modified', 'quiet']],
    );
    const full = await vigil(['check', '--full', '--ndjson', root]);
    const changed = lines(full.stdout)
      .slice(0, -1)
      .map((l) => JSON.parse(l).path)
      .sort();
    assert.deepEqual(changed, ['quiet', 'rotten']);
  });

  it('rehashes a file whose mtime is within the racy window of the baseline', async () => {
    // An mtime after the scan began is racy however long the baseline took to start (a busy
    // machine can take longer than the two-second window); the window's edges are in fast-path.test.ts.
    const root = at('racy');
    mkdirSync(root);
    writeFileSync(join(root, 'fresh'), 'just written\n');
    const inAnHour = new Date(Date.now() + 3_600_000);
    utimesSync(join(root, 'fresh'), inAnHour, inAnHour);
    assert.equal((await vigil(['baseline', root])).code, 0);
    rmSync(at('reads.log'), { force: true });
    const result = await vigil(['check', root], { observed: true, env: hookEnv() });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(readLog(), [join(root, 'fresh')]);
  });

  it('reports unreadable files and directories (without privileges) and unstable files; exit 1', async () => {
    const root = makeTree('locked', { open: 'open\n', secret: 'secret\n', 'closed/inside': 'inside\n', grows: 'g\n' });
    assert.equal((await vigil(['baseline', root])).code, 0);
    chmodSync(join(root, 'secret'), 0o000);
    chmodSync(join(root, 'closed'), 0o000);
    chmodSync(join(root, 'grows'), 0o666); // the hook, running without privileges, appends to it while it is read
    utimesSync(join(root, 'grows'), new Date(), new Date());
    const result = await vigil(['check', root], { unprivileged: true, observed: true });
    assert.equal(result.code, 1, result.stderr);
    const text = result.stdout.toString();
    assert.match(
      text,
      /unreadable \(2\):\n {2}! closed: Permission denied.*\n {2}! secret: Permission denied\n|unreadable \(2\):\n {2}! secret: Permission denied\n {2}! closed: Permission denied/,
    );
    assert.match(text, /unstable \(1\):\n {2}\? grows: changed while being read/);
    assert.match(text, /\* closed \(mode 0755 -> 0000\)/);
    assert.doesNotMatch(text, /removed|inside/, 'contents of an unlistable directory are not "removed"');
    assert.match(result.stderr, /vigil: secret: Permission denied/);
  });

  it('records FIFOs, sockets and devices by type without opening them', async () => {
    const root = makeTree('special', { plain: 'plain\n' });
    execFileSync('mkfifo', [join(root, 'fifo')]);
    execFileSync('mknod', [join(root, 'zero'), 'c', '1', '5']);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(root, 'socket'), resolve));
    try {
      assert.equal((await vigil(['baseline', root])).code, 0);
      const db = new Database(join(root, '.vigil', 'baseline.db'), { readonly: true });
      const types = db.prepare('SELECT CAST(path AS TEXT) AS p, type FROM entries ORDER BY path').all();
      db.close();
      assert.deepEqual(types, [
        { p: 'fifo', type: 'fifo' },
        { p: 'plain', type: 'file' },
        { p: 'socket', type: 'socket' },
        { p: 'zero', type: 'device' },
      ]);
      const checked = await vigil(['check', root]);
      assert.equal(checked.code, 0, checked.stdout.toString());
    } finally {
      server.close();
    }
  });

  it('prints paths with newlines and invalid UTF-8 unambiguously in text and JSON', async () => {
    const root = makeTree('names', { plain: 'p\n' });
    assert.equal((await vigil(['baseline', root])).code, 0);
    writeFileSync(join(root, 'new\nline'), 'n\n');
    writeFileSync(Buffer.concat([Buffer.from(`${root}/`), INVALID_UTF8_NAME]), 'bad\n');
    writeFileSync(join(root, 'back\\slash'), 'b\n');
    const text = await vigil(['check', root]);
    assert.equal(text.code, 1);
    const out = text.stdout.toString('latin1');
    assert.match(out, /\+ back\\\\slash\n/);
    assert.match(out, /\+ bad\\xff\\xfe\.bin\n/);
    assert.match(out, /\+ new\\nline\n/);
    const json = await vigil(['check', '--json', root]);
    const doc = JSON.parse(json.stdout.toString());
    const paths = doc.changes.map((c: { path: string; pathBase64?: string }) => c.pathBase64 ?? c.path).sort();
    assert.deepEqual(paths, [INVALID_UTF8_NAME.toString('base64'), 'back\\slash', 'new\nline'].sort());
    assert.equal(doc.summary.changes.added, 3);
  });

  it('stores excludes with the baseline, reuses them in check, and never scans .vigil', async () => {
    const root = makeTree('ex', { keep: 'k\n', 'skip.log': 'l\n' });
    assert.equal((await vigil(['baseline', '--exclude', '*.log', root])).code, 0);
    writeFileSync(join(root, 'other.log'), 'more\n');
    writeFileSync(join(root, '.vigil', 'scratch'), 'inside .vigil\n');
    const result = await vigil(['check', root]);
    assert.equal(result.code, 0, result.stdout.toString());
    const status = await vigil(['status', root]);
    assert.equal(status.code, 0);
    assert.match(status.stdout.toString(), /entries: {3}1\n/);
    assert.match(status.stdout.toString(), /excludes: {2}\*\.log\n/);
    assert.match(status.stdout.toString(), /algorithm: blake3\n/);
  });

  it('--db puts the baseline elsewhere; status names it', async () => {
    const root = makeTree('elsewhere', { f: 'f\n' });
    const db = at('elsewhere.db');
    assert.equal((await vigil(['baseline', '--db', db, '--algo', 'sha256', root])).code, 0);
    assert.ok(!existsSync(join(root, '.vigil')));
    assert.equal((await vigil(['check', '--db', db, root])).code, 0);
    const status = await vigil(['status', '--db', db, '--json', root]);
    const info = JSON.parse(status.stdout.toString());
    assert.equal(info.location, db);
    assert.equal(info.algorithm, 'sha256');
    assert.equal(info.entries, 1);
  });

  it('accept takes named paths, then everything, into the baseline', async () => {
    const root = makeTree('acc', { a: 'a\n', b: 'b\n', 'd/c': 'c\n' });
    assert.equal((await vigil(['baseline', root])).code, 0);
    writeFileSync(join(root, 'a'), 'a2\n');
    writeFileSync(join(root, 'b'), 'b2\n');
    writeFileSync(join(root, 'd', 'e'), 'e\n');
    const some = await vigil(['accept', root, join(root, 'a'), join(root, 'd')]);
    assert.equal(some.code, 0, some.stderr);
    const after = await vigil(['check', '--ndjson', root]);
    assert.deepEqual(
      lines(after.stdout)
        .slice(0, -1)
        .map((l) => JSON.parse(l).path),
      ['b'],
    );
    assert.equal((await vigil(['accept', root])).code, 0);
    assert.equal((await vigil(['check', root])).code, 0);
    assert.equal((await vigil(['accept', root, '/etc'])).code, 2);
  });

  it('refuses a baseline of a newer schema version, and a corrupt one, with exit 2', async () => {
    const root = makeTree('versions', { f: 'f\n' });
    assert.equal((await vigil(['baseline', root])).code, 0);
    const path = join(root, '.vigil', 'baseline.db');
    const db = new Database(path);
    db.prepare('UPDATE schema_version SET version = 99').run();
    db.close();
    const newer = await vigil(['check', root]);
    assert.equal(newer.code, 2);
    assert.match(newer.stderr, /schema version 99, newer than this vigil reads \(2\): use a newer vigil/);
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    const corrupt = await vigil(['check', root]);
    assert.equal(corrupt.code, 2);
    assert.match(corrupt.stderr, /is damaged or not a vigil baseline/);
    assert.equal((await vigil(['status', root])).code, 2);
    const missing = await vigil(['check', at('calm', 'sub')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no baseline at .*: run "vigil baseline DIR" first/);
  });

  it('Ctrl-C during check leaves the baseline byte for byte; during baseline, the old one stays and no temporary is left', async () => {
    // More entries than one batch, so the reading happens in a worker while the main thread
    // takes the signal (a smaller tree is read in the main thread itself: pool/hash-pools.ts).
    const files: Record<string, string> = { 'a-blocks': 'x\n' };
    for (let i = 0; i < ENTRIES_PER_BATCH; i++) files[`b${i}`] = `${i}\n`;
    const root = makeTree('interrupt', files);
    assert.equal((await vigil(['baseline', root])).code, 0);
    const dbPath = join(root, '.vigil', 'baseline.db');
    const bytes = readFileSync(dbPath);
    writeFileSync(join(root, 'a-blocks'), 'changed\n'); // read by the check, where the hook blocks
    for (const command of ['check', 'baseline']) {
      const code = await interruptWhileReading([command, root], hookEnv());
      assert.equal(code.signal ?? code.code, command === 'check' ? 'SIGINT' : 130);
      assert.deepEqual(readFileSync(dbPath), bytes, `${command} left the baseline untouched`);
      assert.deepEqual(readdirSync(join(root, '.vigil')), ['baseline.db']);
    }
  });

  it('streams --ndjson: changes come out while a later file is still being read', async () => {
    const root = at('stream');
    const files: Record<string, string> = {};
    for (let i = 0; i < 1500; i++) files[`f${String(i).padStart(4, '0')}`] = `v1 ${i}\n`;
    files['zz-blocks'] = 'v1\n';
    makeTree('stream', files);
    assert.equal((await vigil(['baseline', root])).code, 0);
    for (const name of Object.keys(files)) writeFileSync(join(root, name), 'v2, longer\n');
    const release = at('stream-release');
    const child = spawn(process.execPath, [OBSERVED_CLI, 'check', '--ndjson', '--jobs', '2', root], {
      env: { ...process.env, ...hookEnv(), VIGIL_TEST_RELEASE: release },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let releasedAfter = -1;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (releasedAfter < 0 && stdout.includes('\n')) {
        // A change is out while zz-blocks is still held in a worker: the report streams.
        releasedAfter = stdout.split('\n').length - 1;
        writeFileSync(release, '');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 1);
    assert.ok(releasedAfter > 0 && releasedAfter < 1501, `first output came with ${releasedAfter} lines`);
    const changes = stdout.trim().split('\n');
    assert.equal(changes.length, 1502); // 1501 modified + summary
    assert.equal(JSON.parse(changes.at(-1) as string).changes.modified, 1501);
  });

  it('lists exit codes in --help', async () => {
    for (const command of ['baseline', 'check', 'accept']) {
      const help = await vigil([command, '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout.toString(), /Exit codes:\n {2}0 .*\n {2}1 .*check: changes found/);
    }
  });
});

/** Runs vigil until the hook reports READING, sends SIGINT, and returns how it ended. */
function interruptWhileReading(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [OBSERVED_CLI, ...args], {
      env: { ...process.env, ...env, VIGIL_TEST_RELEASE: '/nonexistent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let sent = false;
    child.stderr.on('data', (chunk: Buffer) => {
      if (!sent && chunk.toString().includes('READING')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
}
