/**
 * Repository locks (src/backup/lock.ts): a real verify holding its shared lock while forget
 * --prune is refused beside it; staleness by refresh time whatever the host; the refresh
 * timer; the old REPO/lock; vigil unlock.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LOCKS_DIR, RepositoryLock } from '../src/backup/lock.js';
import { unlock } from '../src/commands/unlock.js';
import { RepositoryLockedError } from '../src/errors.js';
import { Repository } from '../src/repo/repository.js';
import { listSnapshots } from '../src/repo/snapshot-store.js';
import { LocalStorage } from '../src/storage/local-storage.js';
import { OBSERVED_CLI, suiteDir, vigil } from './helpers.js';

/** `vigil ...args` paused once it holds its lock; `resume()` lets it finish and gives its exit code and stdout. */
async function pausedAfterLock(
  args: readonly string[],
): Promise<{ pid: number; resume: () => Promise<[number | null, string]> }> {
  const child = spawn(process.execPath, [OBSERVED_CLI, ...args], {
    env: { ...process.env, VIGIL_TEST_STOP_AT: 'lock-taken' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (err.includes('vigil-test-point lock-taken\n')) resolve();
    });
    exited.then(([code]) => reject(new Error(`vigil exited (${code}) before taking its lock:\n${err}`)));
  });
  return {
    pid: child.pid as number,
    resume: async () => {
      child.stdin.end();
      const [code] = await exited;
      return [code, `${out}${err}`];
    },
  };
}

/** A lock file as another run would write it. */
function plantLock(
  repo: string,
  holder: { host: string; pid: number; minutesAgo: number; exclusive: boolean },
): string {
  mkdirSync(join(repo, LOCKS_DIR), { recursive: true });
  const name = `${holder.minutesAgo.toString(16).padStart(2, '0')}${'ab'.repeat(31)}`;
  const time = new Date(Date.now() - holder.minutesAgo * 60_000).toISOString();
  const { host, pid, exclusive } = holder;
  writeFileSync(join(join(repo, LOCKS_DIR), name), JSON.stringify({ pid, host, time, exclusive, command: 'forget' }));
  return name;
}

/** The pid of a process that has ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

describe('repository locks', () => {
  const at = suiteDir('vigil-locks-');

  it('forget --prune beside a running verify exits 4 naming it; verify finishes clean; forget runs after', async () => {
    mkdirSync(at('src'));
    writeFileSync(at('src', 'a'), 'first\n');
    assert.equal((await vigil(['backup', at('src'), '--to', at('repo')])).code, 0);
    writeFileSync(at('src', 'a'), 'second, which replaces the first\n');
    assert.equal((await vigil(['backup', at('src'), '--to', at('repo')])).code, 0);

    const reader = await pausedAfterLock(['verify', at('repo')]);
    const forget = await vigil(['forget', at('repo'), '--keep-last', '1']);
    assert.equal(forget.code, 4, forget.stderr);
    assert.match(forget.stderr, new RegExp(`locked by vigil verify \\(process ${reader.pid} on ${hostname()}`));
    assert.match(forget.stderr, /vigil unlock/);
    const [code, output] = await reader.resume();
    assert.equal(code, 0, output);
    assert.match(output, /verified 2 snapshots, \d+ packs?, 2 chunks: all good/);

    const after = await vigil(['forget', at('repo'), '--keep-last', '1']);
    assert.equal(after.code, 0, after.stderr);
    const repo = await Repository.open(at('repo'), { password: async () => '' });
    assert.equal((await listSnapshots(repo)).snapshots.length, 1);
    assert.deepEqual(readdirSync(at('repo', 'locks')), []);
  });

  it('a lock not refreshed for 30 minutes is stale whatever its host; a fresh one from elsewhere is respected', async () => {
    const repo = (await Repository.init(at('stale'))).root;
    const old = plantLock(repo, { host: 'elsewhere', pid: 4242, minutesAgo: 31, exclusive: true });
    const fresh = plantLock(repo, { host: 'elsewhere', pid: 4243, minutesAgo: 29, exclusive: true });
    await assert.rejects(
      () => RepositoryLock.acquire({ root: repo, storage: new LocalStorage(repo) }, 'shared', { command: 'verify' }),
      (error: unknown) => error instanceof RepositoryLockedError && error.holder.pid === 4243,
    );
    // The refused run left no lock of its own, and removed the stale one it met.
    assert.deepEqual(readdirSync(join(repo, LOCKS_DIR)), [fresh]);
    assert.ok(!readdirSync(join(repo, LOCKS_DIR)).includes(old));
    // With a shorter staleness (a test's), the 29-minute-old lock is stale too.
    const lock = await RepositoryLock.acquire({ root: repo, storage: new LocalStorage(repo) }, 'exclusive', {
      command: 'forget',
      staleMs: 60_000,
    });
    assert.equal(readdirSync(join(repo, LOCKS_DIR)).length, 1);
    await lock.release();
    assert.deepEqual(readdirSync(join(repo, LOCKS_DIR)), []);
  });

  it('shared locks sit together, exclusive conflicts with any; a live lock is refreshed; a lost one is noticed', async () => {
    const repo = (await Repository.init(at('kinds'))).root;
    const root = { root: repo, storage: new LocalStorage(repo) };
    const one = await RepositoryLock.acquire(root, 'shared', { command: 'verify' });
    await assert.rejects(() => RepositoryLock.acquire(root, 'exclusive', { command: 'forget' }), RepositoryLockedError);
    await one.release();
    const dir = join(repo, LOCKS_DIR);
    const watcher = watch(dir);
    // Each refresher (a thread by default, one started later for backup, a main-thread timer
    // for quick commands) rewrites its lock's time, renamed into place: wait for those events.
    for (const refresher of ['thread', 'later-thread', 'timer'] as const) {
      const before = new Set(readdirSync(dir));
      const lock = await RepositoryLock.acquire(root, 'shared', { command: 'snapshots', refresher, refreshMs: 5 });
      const [name] = readdirSync(dir).filter((n) => !before.has(n) && !n.endsWith('.tmp'));
      const timeOf = () => (JSON.parse(readFileSync(join(dir, name as string), 'utf8')) as { time: string }).time;
      const taken = timeOf();
      while (timeOf() === taken) await once(watcher, 'change');
      assert.ok(timeOf() > taken, refresher);
      await lock.release();
    }
    watcher.close();
    assert.deepEqual(readdirSync(dir), []);
    // A lock removed under a run (vigil unlock --remove-all) is lost: the run must not commit.
    const lost = await RepositoryLock.acquire(root, 'shared', { command: 'backup' });
    await lost.assertHeld();
    for (const name of readdirSync(dir)) rmSync(join(dir, name));
    await assert.rejects(() => lost.assertHeld(), /was removed while it ran/);
    await lost.release();
    const solo = await RepositoryLock.acquire(root, 'exclusive', { command: 'forget' });
    await assert.rejects(() => RepositoryLock.acquire(root, 'shared', { command: 'verify' }), RepositoryLockedError);
    await solo.release();
  });

  it('honours the old REPO/lock while its process lives, and drops it once gone', async () => {
    const repo = (await Repository.init(at('legacy'))).root;
    const legacy = { pid: process.pid, host: hostname(), time: new Date().toISOString() };
    writeFileSync(join(repo, 'lock'), JSON.stringify(legacy));
    await assert.rejects(
      () => RepositoryLock.acquire({ root: repo, storage: new LocalStorage(repo) }, 'shared', { command: 'verify' }),
      RepositoryLockedError,
    );
    writeFileSync(join(repo, 'lock'), JSON.stringify({ ...legacy, pid: deadPid() }));
    await (
      await RepositoryLock.acquire({ root: repo, storage: new LocalStorage(repo) }, 'exclusive', { command: 'forget' })
    ).release();
    assert.deepEqual(readdirSync(repo).includes('lock'), false);
  });

  it('vigil unlock removes stale locks and counts them; --remove-all removes every lock', async () => {
    const repo = (await Repository.init(at('unlock'))).root;
    plantLock(repo, { host: 'elsewhere', pid: 1, minutesAgo: 45, exclusive: false });
    plantLock(repo, { host: hostname(), pid: deadPid(), minutesAgo: 1, exclusive: true });
    const live = plantLock(repo, { host: 'elsewhere', pid: 2, minutesAgo: 2, exclusive: true });
    const stale = await vigil(['unlock', repo]);
    assert.equal(stale.code, 0, stale.stderr);
    assert.equal(stale.stdout.toString(), 'removed 2 stale locks\n');
    assert.deepEqual(readdirSync(join(repo, LOCKS_DIR)), [live]);
    const all = await vigil(['unlock', '--remove-all', repo]);
    assert.equal(all.stdout.toString(), 'removed 1 lock\n');
    assert.deepEqual(readdirSync(join(repo, LOCKS_DIR)), []);
    await assert.rejects(unlock({ repo: at('not-a-repo') }), /not a vigil repository/);
  });
});
