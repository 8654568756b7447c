/**
 * A repository on another machine over SFTP, against Debian's OpenSSH server started on a
 * loopback port (sshd-server.ts): the whole cycle (init, two backups, snapshots, restore byte
 * for byte, forget with prune, verify), the server killed in the middle of a backup and a
 * clean run after it, and the two refusals that must come before anything is sent: an
 * unknown host key and a key the server does not accept, each exit 2 with what to do.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseRepositoryLocation } from '../src/storage/location.js';
import { SftpStorage } from '../src/storage/sftp-storage.js';
import { makeSourceTree, runUntilPoint } from './backup-helpers.js';
import { tempDir, vigil } from './helpers.js';
import { type SshServer, sshServer } from './sshd-server.js';
import { checkInterruptedCommands, checkStagingLeftovers } from './staging-leftovers.js';

describe('a repository over SFTP', () => {
  let dir: { path: string; cleanup: () => void };
  let server: SshServer;
  before(async () => {
    dir = tempDir('vigil-sftp-');
    server = await sshServer(dir.path);
    await server.start();
  });
  after(async () => {
    await server?.stop();
    dir?.cleanup();
  });

  const run = (args: string[], env: NodeJS.ProcessEnv = server.env) => vigil(args, { env });

  it('init, backup twice, snapshots, restore byte for byte, forget with prune, verify', async () => {
    const src = join(dir.path, 'src');
    makeSourceTree(src, 20);
    const repo = server.url(join(dir.path, 'repo'));
    const init = await run(['init', '--no-encryption', repo]);
    assert.equal(init.code, 0, init.stderr);
    const first = await run(['backup', src, '--to', repo]);
    assert.equal(first.code, 0, first.stderr);
    writeFileSync(join(src, 'docs', 'f1.txt'), 'changed\n');
    writeFileSync(join(src, 'added'), 'added\n');
    const second = await run(['backup', src, '--to', repo]);
    assert.equal(second.code, 0, second.stderr);
    const listed = await run(['snapshots', repo, '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal((JSON.parse(listed.stdout.toString()) as unknown[]).length, 2);
    const out = join(dir.path, 'out');
    const restored = await run(['restore', repo, 'latest', out]);
    assert.equal(restored.code, 0, restored.stderr);
    execFileSync('diff', ['-r', '--no-dereference', src, join(out, src)]);
    const forget = await run(['forget', repo, '--keep-last', '1']);
    assert.equal(forget.code, 0, forget.stderr);
    assert.match(forget.stdout.toString(), /pruned/);
    const verified = await run(['verify', repo]);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout.toString(), /verified 1 snapshot, .*: all good/);
  });

  it('the server killed in the middle of a backup: the earlier snapshot stays, the next run succeeds', async () => {
    const src = join(dir.path, 'src-kill');
    makeSourceTree(src, 60);
    const repo = server.url(join(dir.path, 'repo-kill'));
    assert.equal((await run(['backup', src, '--to', repo])).code, 0);
    for (let i = 0; i < 60; i += 2) writeFileSync(join(src, 'docs', `f${i}.txt`), `changed ${i}\n`);
    // The run's workers have uploaded their packs, nothing is indexed yet: the server dies there.
    const stopped = await runUntilPoint(['backup', src, '--to', repo], 'objects-stored', server.env);
    await server.stop();
    process.kill(stopped.pid, 'SIGKILL');
    await stopped.exited;
    await server.start();
    const listed = await run(['snapshots', repo, '--json']);
    assert.equal((JSON.parse(listed.stdout.toString()) as unknown[]).length, 1, listed.stderr);
    // The next run takes over the packs the killed one uploaded, and its snapshot restores whole.
    const next = await run(['backup', src, '--to', repo]);
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stderr, /resumed/);
    const out = join(dir.path, 'out-kill');
    assert.equal((await run(['restore', repo, 'latest', out])).code, 0);
    execFileSync('diff', ['-r', '--no-dereference', src, join(out, src)]);
  });

  it('reconnects after the server restarted, and names the operation once retries run out', async () => {
    const home = process.env.HOME;
    process.env.HOME = server.env.HOME;
    const location = parseRepositoryLocation(server.url(join(dir.path, 'retry')));
    assert.equal(location.kind, 'sftp');
    const storage = await SftpStorage.open(location as never, { attempts: 3, firstDelayMs: 20 });
    try {
      await storage.create(['tmp']);
      await storage.write('snapshots/one', Buffer.from('before the restart'));
      await server.stop();
      await server.start();
      assert.equal((await storage.read('snapshots/one', 100)).toString(), 'before the restart');
      await server.stop();
      await assert.rejects(storage.size('snapshots/one'), /looking at snapshots\/one: gave up after 3 tries/);
    } finally {
      process.env.HOME = home;
      await server.start();
      await storage.close();
    }
  });

  it('the local staging folder goes at a normal end and on Ctrl-C; after a kill -9 the next run removes it', async () => {
    const repo = server.url(join(dir.path, 'repo-staging'));
    assert.equal((await run(['init', '--no-encryption', repo])).code, 0);
    await checkStagingLeftovers({ kind: 'sftp', dir: dir.path, repo, env: server.env });
  });

  it('Ctrl-C of forget and of copy removes the staging folder too (exit 130)', async () => {
    await checkInterruptedCommands({
      kind: 'sftp',
      dir: dir.path,
      repoAt: (name) => server.url(join(dir.path, name)),
      env: server.env,
    });
  });

  it('refuses an unknown host key, saying how to trust it (exit 2)', async () => {
    const refused = await run(['snapshots', server.url(join(dir.path, 'repo'))], server.strangerEnv);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /not in .*known_hosts, so vigil does not trust it/);
    assert.match(refused.stderr, new RegExp(`ssh-keyscan -p ${server.port} 127\\.0\\.0\\.1 >> `));
  });

  it('refuses a key the server does not accept, saying where keys go (exit 2)', async () => {
    const refused = await run(['snapshots', server.url(join(dir.path, 'repo'))], server.wrongKeyEnv);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /refused every key vigil offered/);
    assert.match(refused.stderr, /authorized_keys/);
  });
});
