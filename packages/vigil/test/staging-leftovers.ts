/**
 * Test only: what a remote repository's local staging folder ($TMPDIR/vigil-<kind>-<pid>)
 * becomes when a backup ends normally, is interrupted with Ctrl-C, or is killed with SIGKILL
 * and followed by another run. Shared by the SFTP and S3 suites; each run gets a TMPDIR of
 * the test's own, so folders of other tests running beside it are not counted.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSourceTree, runUntilPoint } from './backup-helpers.js';
import { vigil } from './helpers.js';

export async function checkStagingLeftovers(options: {
  readonly kind: 'sftp' | 's3';
  /** A folder of the test's own, for the sources and the runs' TMPDIR. */
  readonly dir: string;
  readonly repo: string;
  readonly env: NodeJS.ProcessEnv;
}): Promise<void> {
  const tmp = join(options.dir, 'tmpdir');
  mkdirSync(tmp, { recursive: true });
  const env = { ...options.env, TMPDIR: tmp };
  const staging = () => readdirSync(tmp).filter((name) => name.startsWith(`vigil-${options.kind}-`));
  const src = join(options.dir, 'src-staging');
  makeSourceTree(src, 30);

  const first = await vigil(['backup', src, '--to', options.repo], { env });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(staging(), [], 'a normal end removes the staging folder');

  // Ctrl-C once the workers have staged and uploaded the run's packs: the handler removes the folder.
  const change = (round: string) => {
    for (let i = 0; i < 30; i++) writeFileSync(join(src, 'docs', `f${i}.txt`), `${round} ${i}\n`.repeat(40));
  };
  change('interrupted');
  const interrupted = await runUntilPoint(['backup', src, '--to', options.repo], 'objects-stored', env);
  let ended = false;
  void interrupted.exited.then(() => {
    ended = true;
  });
  try {
    assert.deepEqual(staging(), [`vigil-${options.kind}-${interrupted.pid}`], 'the run stages in its own folder');
    process.kill(interrupted.pid, 'SIGINT');
    assert.equal(await interrupted.exited, 130, interrupted.stderr());
    assert.deepEqual(staging(), [], 'Ctrl-C removes the staging folder');
  } finally {
    // A failed assertion must not leave the run waiting at its test point (the file would hang).
    if (!ended) process.kill(interrupted.pid, 'SIGKILL');
  }

  // kill -9 leaves the folder (with whatever was half-staged): the next run of any command removes it.
  change('killed');
  const killed = await runUntilPoint(['backup', src, '--to', options.repo], 'objects-stored', env);
  const left = join(tmp, `vigil-${options.kind}-${killed.pid}`);
  process.kill(killed.pid, 'SIGKILL');
  await killed.exited;
  assert.equal(existsSync(left), true, 'a kill -9 leaves the folder');
  writeFileSync(join(left, 'pack-half-written.tmp'), 'a pack the killed run was building');
  const listed = await vigil(['snapshots', options.repo], { env });
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal(existsSync(left), false, 'the next run removes the folder of a process that is gone');
  assert.deepEqual(staging(), []);
}

/**
 * Ctrl-C of the other commands that stage packs: forget (prune's repacked packs) and copy (the
 * packs it writes into DST), each stopped at a test point once it has staged its packs (and
 * uploaded them), then sent SIGINT: exit 130, no folder and no lock left. `repoAt(name)` spells a repository of
 * the server by name; restore, which writes nothing but its lock, is shown to stage nothing.
 */
export async function checkInterruptedCommands(options: {
  readonly kind: 'sftp' | 's3';
  readonly dir: string;
  readonly repoAt: (name: string) => string;
  readonly env: NodeJS.ProcessEnv;
}): Promise<void> {
  const tmp = join(options.dir, 'tmpdir-commands');
  mkdirSync(tmp, { recursive: true });
  const env = { ...options.env, TMPDIR: tmp };
  const staging = () => readdirSync(tmp).filter((name) => name.startsWith(`vigil-${options.kind}-`));
  const src = join(options.dir, 'src-commands');
  makeSourceTree(src, 30);
  const repo = options.repoAt('interrupted-commands');
  const ok = async (args: string[]) => {
    const result = await vigil(args, { env });
    assert.equal(result.code, 0, `vigil ${args.join(' ')}: ${result.stderr}`);
  };
  // One worker: one pack holds every file, so once half of them are gone forget must repack it.
  await ok(['backup', '-j', '1', src, '--to', repo]);
  for (let i = 0; i < 30; i += 2) rmSync(join(src, 'docs', `f${i}.txt`));
  await ok(['backup', '-j', '1', src, '--to', repo]);

  const interrupt = async (args: string[], point: string, what: string) => {
    const run = await runUntilPoint(args, point, env);
    let ended = false;
    void run.exited.then(() => {
      ended = true;
    });
    try {
      const folder = `vigil-${options.kind}-${run.pid}`;
      assert.deepEqual(staging(), [folder], `${what} stages in its own folder`);
      process.kill(run.pid, 'SIGINT');
      assert.equal(await run.exited, 130, run.stderr());
      assert.deepEqual(staging(), [], `Ctrl-C of ${what} removes the staging folder`);
    } finally {
      if (!ended) process.kill(run.pid, 'SIGKILL');
    }
  };
  const dst = options.repoAt('interrupted-copy');
  await ok(['init', '--no-encryption', dst]);
  // Ctrl-C removed the command's locks too: none is left for unlock to find. (On this host a
  // dead run's lock is stale at once; on another it would block forget for 30 minutes.)
  const noLocksLeft = async (repository: string, what: string) => {
    const unlocked = await vigil(['unlock', repository], { env });
    assert.equal(unlocked.stdout.toString(), 'removed 0 stale locks\n', `the locks of ${what}: ${unlocked.stderr}`);
  };
  await interrupt(['copy', repo, dst], 'objects-stored', 'copy');
  await noLocksLeft(repo, 'copy (its source)');
  await noLocksLeft(dst, 'copy (its destination)');
  await interrupt(['forget', repo, '--keep-last', '1'], 'during-prune', 'forget');
  await noLocksLeft(repo, 'forget');

  await ok(['restore', repo, 'latest', join(options.dir, 'out-commands')]);
  assert.deepEqual(staging(), []);
}
