/**
 * Mistakes get a clear answer: a missing source, a repository path that cannot be made, a
 * reader that went away; and what backup chooses to leave out (--exclude-file, --files-from,
 * --exclude-caches, --exclude-larger-than), with counts in the right number.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseSize, sourcesFromFiles } from '../src/commands/backup-selection.js';
import { repositoryCodec } from '../src/commands/repository-access.js';
import { RepositoryError, UsageError } from '../src/errors.js';
import { exitCodeForError } from '../src/exit.js';
import { BlobReader } from '../src/repo/blob-reader.js';
import { loadIndex } from '../src/repo/index-load.js';
import { Repository } from '../src/repo/repository.js';
import { listSnapshots } from '../src/repo/snapshot-store.js';
import { walkSnapshotTree } from '../src/repo/tree-walk.js';
import { CLI, suiteDir, vigil } from './helpers.js';

/** The paths the newest snapshot of a repository without encryption holds. */
async function pathsInLatest(root: string): Promise<string[]> {
  const repo = await Repository.open(root, { password: async () => '' });
  const latest = (await listSnapshots(repo)).snapshots.at(-1);
  assert.ok(latest);
  const reader = new BlobReader(
    repo.storage,
    (await loadIndex(repo.storage, repo.sealer)).index,
    repo.sealer,
    repo.ids,
    await repositoryCodec(),
  );
  try {
    const paths: string[] = [];
    for await (const { path } of walkSnapshotTree(reader, latest.snapshot.tree, () => {})) paths.push(path.toString());
    return paths;
  } finally {
    await reader.close();
  }
}

describe('vigil backup: mistakes get a clear answer', () => {
  const at = suiteDir('vigil-mistakes-');

  it('a source that does not exist exits 2 naming it, and makes neither repository nor snapshot', async () => {
    mkdirSync(at('here'));
    const result = await vigil(['backup', at('here'), at('not-there'), '--to', at('ms-repo')]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`the source ${at('not-there')} does not exist`));
    assert.equal(existsSync(at('ms-repo')), false);
  });

  it('a repository path that cannot be made is refused (exit 2) with its path and why', async () => {
    symlinkSync(at('nowhere'), at('dangling'));
    const cases: [string, RegExp][] = [
      [at('no-parent', 'deeper', 'repo'), /its parent folder .*no-parent\/deeper does not exist/],
      [at('dangling'), /it is a symbolic link to .*nowhere, which does not exist/],
      ['/proc/vigil-repo', /the file system of \/proc does not allow it/],
      ['/proc/no-such-folder/repo', /its parent folder \/proc\/no-such-folder does not exist/],
    ];
    for (const [path, why] of cases) {
      await assert.rejects(Repository.init(path), (error: unknown) => {
        assert.ok(error instanceof RepositoryError, String(error));
        assert.equal(exitCodeForError(error), 2);
        assert.match(error.message, new RegExp(`cannot make the repository ${path}: `));
        assert.match(error.message, why);
        return true;
      });
    }
    assert.equal(existsSync(at('no-parent')), false);
    // Without the right to write there: the CLI answers with the path, not a stack.
    mkdirSync(at('src'));
    writeFileSync(at('src', 'f'), 'x');
    mkdirSync(at('closed'));
    chmodSync(at('closed'), 0o555);
    const denied = await vigil(['backup', at('src'), '--to', at('closed', 'repo')], { unprivileged: true });
    assert.equal(denied.code, 2, denied.stderr);
    assert.match(denied.stderr, /cannot make the repository .*closed\/repo: permission denied/);
    assert.doesNotMatch(denied.stderr, /internal error/);
  });

  it('a backup whose stdout and stderr readers went away still commits and exits 0, quietly', async () => {
    mkdirSync(at('pipe-src'));
    writeFileSync(at('pipe-src', 'f'), 'x');
    const child = spawn(process.execPath, [CLI, 'backup', at('pipe-src'), '--to', at('pipe-repo')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Closed before the child's Node has started: its notice (stderr) and summary (stdout) meet EPIPE.
    child.stdout.destroy();
    child.stderr.destroy();
    const [code] = (await once(child, 'close')) as [number | null];
    assert.equal(code, 0);
    const repo = await Repository.open(at('pipe-repo'), { password: async () => '' });
    assert.equal((await listSnapshots(repo)).snapshots.length, 1);
  });

  it('leaves out --exclude-file patterns, caches, files over --exclude-larger-than; takes --files-from', async () => {
    mkdirSync(at('one', 'cache'), { recursive: true });
    mkdirSync(at('one', 'not-a-cache'));
    mkdirSync(at('two'));
    writeFileSync(at('one', 'kept.txt'), 'kept\n');
    writeFileSync(at('one', 'noise.log'), 'excluded by the exclude file\n');
    writeFileSync(at('one', 'big.bin'), Buffer.alloc(2048, 1));
    writeFileSync(at('one', 'cache', 'CACHEDIR.TAG'), 'Signature: 8a477f597d28d172789f06886806bc55\n# a cache\n');
    writeFileSync(at('one', 'cache', 'blob'), 'cached\n');
    writeFileSync(at('one', 'not-a-cache', 'CACHEDIR.TAG'), 'Signature: not the right one\n');
    writeFileSync(at('one', 'not-a-cache', 'data'), 'kept\n');
    writeFileSync(at('two', 'only.txt'), 'named by --files-from\n');
    writeFileSync(at('excludes'), '# logs are noise\n\n*.log\n');
    writeFileSync(at('list'), `${at('one')}\n# a comment\n\n${at('two')}\n`);
    const args = ['backup', '--files-from', at('list'), '--exclude-file', at('excludes'), '--exclude-caches'];
    const made = await vigil([...args, '--exclude-larger-than', '1K', '--to', at('sel-repo')]);
    assert.equal(made.code, 0, made.stderr);
    const paths = (await pathsInLatest(at('sel-repo'))).filter((p) => p.startsWith(`${at()}/`));
    assert.deepEqual(paths.map((p) => p.slice(at().length)).sort(), [
      '/one',
      '/one/cache',
      '/one/cache/CACHEDIR.TAG',
      '/one/kept.txt',
      '/one/not-a-cache',
      '/one/not-a-cache/CACHEDIR.TAG',
      '/one/not-a-cache/data',
      '/two',
      '/two/only.txt',
    ]);
    assert.match(made.stdout.toString(), /: 5 files, .* in 4 chunks\n/);
    // One of each: no "1 snapshot(s)".
    const listed = await vigil(['snapshots', at('sel-repo')]);
    assert.match(listed.stdout.toString(), /\n1 snapshot\n$/);
  });

  it('reads sizes 1024-based with K, M, G, T; refuses a bad size or an empty --files-from by name', () => {
    assert.equal(parseSize('500', '--x'), 500);
    assert.equal(parseSize('1K', '--x'), 1024);
    assert.equal(parseSize('2m', '--x'), 2 * 1024 ** 2);
    assert.equal(parseSize('3G', '--x'), 3 * 1024 ** 3);
    assert.equal(parseSize('1T', '--x'), 1024 ** 4);
    assert.throws(() => parseSize('1X', '--exclude-larger-than'), /--exclude-larger-than must be a size.*"1X"/);
    writeFileSync(at('empty-list'), '# nothing\n\n');
    assert.throws(() => sourcesFromFiles([at('empty-list')]), UsageError);
    assert.throws(() => sourcesFromFiles([at('no-list')]), /--files-from .*no-list: cannot read it \(ENOENT\)/);
  });

  it('vigil backup --help shows --to as required', async () => {
    const help = (await vigil(['backup', '--help'])).stdout.toString();
    assert.match(help, /^Usage: vigil backup --to <repo> /);
    assert.match(help, /--to <repo> +the repository \(required\)/);
  });
});
