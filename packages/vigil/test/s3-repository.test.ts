/**
 * A repository in a bucket of an S3-compatible server (s3rver on a loopback port,
 * s3-server.ts): the whole cycle (init making the bucket, two backups, snapshots, restore
 * byte for byte, forget with prune, verify), an encrypted repository, the server killed in the
 * middle of a backup and a clean run after it, the refusals that say what to set or create
 * (wrong key, missing bucket, no key at all: exit 2), and the storage's own calls (paging,
 * ranges, missing objects, retries that run out naming the operation).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StorageError } from '../src/errors.js';
import { parseRepositoryLocation } from '../src/storage/location.js';
import { explainRefusal } from '../src/storage/s3-errors.js';
import { S3Storage } from '../src/storage/s3-storage.js';
import { makeSourceTree, runUntilPoint } from './backup-helpers.js';
import { tempDir, vigil } from './helpers.js';
import { type S3Server, s3Server } from './s3-server.js';
import { checkInterruptedCommands, checkStagingLeftovers } from './staging-leftovers.js';

describe('a repository on S3', () => {
  let dir: { path: string; cleanup: () => void };
  let server: S3Server;
  before(async () => {
    dir = tempDir('vigil-s3-');
    server = await s3Server(dir.path);
    await server.start();
  });
  after(async () => {
    await server?.stop();
    dir?.cleanup();
  });

  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => vigil(args, { env: { ...server.env, ...env } });
  const open = (bucketAndPrefix: string, options: { pageSize?: number } = {}) => {
    const location = parseRepositoryLocation(server.url(bucketAndPrefix));
    assert.equal(location.kind, 's3');
    return S3Storage.open(location as never, { retry: { attempts: 3, firstDelayMs: 20 }, env: server.env, ...options });
  };

  it('init (making the bucket), backup twice, snapshots, restore byte for byte, forget with prune, verify', async () => {
    const src = join(dir.path, 'src');
    makeSourceTree(src, 20);
    const repo = server.url('cycle/some/prefix');
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
    // Everything sits below the prefix, and the run left no lock or temporary file behind.
    const storage = await open('cycle');
    try {
      const keys = await storage.list('some/prefix');
      assert.ok(keys.includes('vigil-repository.json'), keys.join(' '));
      assert.ok(keys.some((k) => /^data\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(k)));
      assert.deepEqual(
        keys.filter((k) => k.startsWith('locks/') || k.startsWith('tmp/')),
        [],
      );
    } finally {
      await storage.close();
    }
  });

  it('an encrypted repository made by the first backup: restore byte for byte; a wrong password is refused (exit 5)', async () => {
    const src = join(dir.path, 'src-secret');
    makeSourceTree(src, 10);
    const repo = server.url('secret');
    const pw = { VIGIL_PASSWORD: 'an s3 passphrase', VIGIL_PASSWORD_FILE: '' };
    // backup's first run makes the repository (and the bucket), encrypted as a password is given.
    const backup = await run(['backup', src, '--to', repo], pw);
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stderr, /made an encrypted repository in s3:/);
    const out = join(dir.path, 'out-secret');
    const restored = await run(['restore', repo, 'latest', out], pw);
    assert.equal(restored.code, 0, restored.stderr);
    execFileSync('diff', ['-r', '--no-dereference', src, join(out, src)]);
    const wrong = await run(['snapshots', repo], { ...pw, VIGIL_PASSWORD: 'not it' });
    assert.equal(wrong.code, 5, wrong.stderr);
  });

  it('the server killed in the middle of a backup: the earlier snapshot stays, the next run succeeds; locks hold and go stale', async () => {
    const src = join(dir.path, 'src-kill');
    makeSourceTree(src, 30);
    const repo = server.url('kill');
    assert.equal((await run(['backup', src, '--to', repo])).code, 0);
    for (let i = 0; i < 30; i += 2) writeFileSync(join(src, 'docs', `f${i}.txt`), `changed ${i}\n`);
    // The run's workers have uploaded their packs, nothing is indexed yet: the server dies there.
    const stopped = await runUntilPoint(['backup', src, '--to', repo], 'objects-stored', server.env);
    // Its lock, an object like any other, keeps an exclusive run out while it lives.
    const blocked = await run(['forget', repo, '--keep-last', '1']);
    assert.equal(blocked.code, 4, blocked.stderr);
    assert.match(blocked.stderr, /locked/);
    await server.stop();
    process.kill(stopped.pid, 'SIGKILL');
    await stopped.exited;
    await server.start();
    const listed = await run(['snapshots', repo, '--json']);
    assert.equal((JSON.parse(listed.stdout.toString()) as unknown[]).length, 1, listed.stderr);
    const next = await run(['backup', src, '--to', repo]);
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stderr, /resumed/);
    const out = join(dir.path, 'out-kill');
    assert.equal((await run(['restore', repo, 'latest', out])).code, 0);
    execFileSync('diff', ['-r', '--no-dereference', src, join(out, src)]);
    // The killed run's lock is left behind; its process is gone, so it is stale and removed.
    const forget = await run(['forget', repo, '--keep-last', '1']);
    assert.equal(forget.code, 0, forget.stderr);
  });

  it('the local staging folder goes at a normal end and on Ctrl-C; after a kill -9 the next run removes it', async () => {
    const repo = server.url('staging');
    assert.equal((await run(['init', '--no-encryption', repo])).code, 0);
    await checkStagingLeftovers({ kind: 's3', dir: dir.path, repo, env: server.env });
  });

  it('Ctrl-C of forget and of copy removes the staging folder too (exit 130)', async () => {
    await checkInterruptedCommands({ kind: 's3', dir: dir.path, repoAt: (name) => server.url(name), env: server.env });
  });

  it('refuses a key the server does not know, saying what to set (exit 2)', async () => {
    const refused = await run(['snapshots', server.url('cycle/some/prefix')], { AWS_ACCESS_KEY_ID: 'NOT-A-KEY' });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /refused the credentials \(InvalidAccessKeyId/);
    assert.match(refused.stderr, /set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });

  it('names a missing key variable (exit 2)', async () => {
    const refused = await run(['snapshots', server.url('cycle')], { AWS_SECRET_ACCESS_KEY: '' });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /AWS_SECRET_ACCESS_KEY is not set/);
  });

  it('a missing bucket: says init makes it (exit 2)', async () => {
    const missing = await run(['snapshots', server.url('no-such-bucket')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /there is no bucket no-such-bucket on http:\/\/127\.0\.0\.1:\d+/);
    assert.match(missing.stderr, /vigil init s3:http:\/\/127\.0\.0\.1:\d+\/no-such-bucket \(it creates the bucket\)/);
  });

  it('tells a wrong signature and a foreign region apart, each with what to set', () => {
    const where = { what: 's3:http://h/b', bucket: 'b', endpoint: 'http://h', region: 'us-east-1' };
    const signature = explainRefusal({ Code: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } }, where);
    assert.match(
      String(signature?.message),
      /refused the credentials \(SignatureDoesNotMatch\).*AWS_SECRET_ACCESS_KEY/,
    );
    const region = explainRefusal({ Code: 'AuthorizationHeaderMalformed', $metadata: { httpStatusCode: 400 } }, where);
    assert.match(String(region?.message), /not in region us-east-1.*AWS_DEFAULT_REGION/);
    assert.equal(explainRefusal({ Code: 'InternalError', $metadata: { httpStatusCode: 500 } }, where), undefined);
  });

  it('pages through listings, reads ranges, tells missing objects, retries and then names the operation', async () => {
    const storage = await open('calls', { pageSize: 2 });
    try {
      assert.equal(await storage.rootState(), 'missing');
      await storage.create();
      assert.equal(await storage.rootState(), 'empty');
      const names = ['index/a', 'index/b', 'data/00/c', 'data/01/d', 'data/01/e'];
      for (const name of names) await storage.write(name, Buffer.from(`contents of ${name}`));
      assert.deepEqual((await storage.list('data')).sort(), ['00/c', '01/d', '01/e']);
      assert.deepEqual(await storage.list('nothing'), []);
      assert.equal(await storage.size('index/a'), 'contents of index/a'.length);
      assert.equal(await storage.size('index/z'), undefined);
      const reader = await storage.openReader('data/01/d');
      assert.equal((await reader.read(12, 4)).toString(), 'data');
      await assert.rejects(reader.read(10, 100), /ends early/);
      await assert.rejects(storage.read('index/z', 100), (error) => error instanceof StorageError && error.missing);
      await assert.rejects(storage.read('index/a', 5), /more than the 5 such a file may have/);
      assert.equal(await storage.remove('index/a'), true);
      assert.equal(await storage.remove('index/a'), false);
      // One DeleteObjects for them all; a key already gone counts as removed.
      await storage.removeAll(['data/00/c', 'data/01/e', 'data/02/never-there']);
      assert.deepEqual(await storage.list('data'), ['01/d']);
      await server.stop();
      await server.start();
      assert.equal((await storage.read('index/b', 100)).toString(), 'contents of index/b');
      await server.stop();
      await assert.rejects(storage.size('index/b'), /looking at index\/b: gave up after 3 tries/);
    } finally {
      await server.start();
      await storage.close();
    }
  });
});
