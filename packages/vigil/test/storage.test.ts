/**
 * The storage layer: the repository argument parsed in one place (local paths, sftp: and s3:
 * in restic's spelling, each mistake refused with the forms it may take), and the contract
 * every backend keeps, checked on the local disk: whole-file writes, listing by folder,
 * sizes, range reads, staged files moved in, removal, and missing files told apart.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { StorageError, UsageError } from '../src/errors.js';
import { LocalStorage } from '../src/storage/local-storage.js';
import { formatRepositoryLocation, parseRepositoryLocation } from '../src/storage/location.js';
import { openStorage } from '../src/storage/open-storage.js';
import { suiteDir } from './helpers.js';

describe('repository locations', () => {
  const cases: Array<[string, unknown]> = [
    ['/srv/backups', { kind: 'local', path: '/srv/backups' }],
    ['relative/repo', { kind: 'local', path: resolve('relative/repo') }],
    ['sftp:me@host.example:/srv/repo', { kind: 'sftp', user: 'me', host: 'host.example', port: 22, path: '/srv/repo' }],
    ['sftp:host:2222:/srv/repo/', { kind: 'sftp', user: undefined, host: 'host', port: 2222, path: '/srv/repo' }],
    ['sftp:u@[::1]:2200:repo', { kind: 'sftp', user: 'u', host: '::1', port: 2200, path: 'repo' }],
    [
      's3:http://127.0.0.1:9000/bucket',
      { kind: 's3', endpoint: 'http://127.0.0.1:9000', bucket: 'bucket', prefix: '' },
    ],
    [
      's3:https://s3.example/b/some/prefix/',
      { kind: 's3', endpoint: 'https://s3.example', bucket: 'b', prefix: 'some/prefix' },
    ],
  ];
  for (const [text, expected] of cases) {
    it(`parses ${text}`, () => {
      const parsed = parseRepositoryLocation(text);
      assert.deepEqual(parsed, expected);
      // The canonical spelling parses back to the same location (workers reopen storage from it).
      assert.deepEqual(parseRepositoryLocation(formatRepositoryLocation(parsed)), expected);
    });
  }

  it('refuses what is no location, naming the form it expected', () => {
    for (const [text, expected] of [
      ['sftp:host', /sftp:\[user@\]host\[:port\]:\/path/],
      ['sftp:host:99999:/x', /a port from 1 to 65535/],
      ['s3:ftp://host/bucket', /http or https/],
      ['s3:http://host', /the bucket is missing/],
      ['s3:http://key:secret@host/b', /credentials \(those come from AWS_\* variables\)/],
      ['', /is empty/],
    ] as const) {
      assert.throws(
        () => parseRepositoryLocation(text),
        (error: unknown) => {
          assert.ok(error instanceof UsageError, text);
          assert.match(error.message, expected);
          return true;
        },
      );
    }
  });
});

describe('local storage', () => {
  const at = suiteDir('vigil-storage-');

  it('creates its root, writes files whole, lists them by folder, reads sizes and ranges', async () => {
    const storage = await openStorage(at('repo'));
    assert.ok(storage instanceof LocalStorage);
    assert.equal(await storage.rootState(), 'missing');
    await storage.create(['data', 'tmp']);
    assert.equal(await storage.rootState(), 'not-empty');
    await storage.write('snapshots/one', Buffer.from('hello, storage'));
    await storage.write('data/ab/pack', Buffer.alloc(1000, 7), { durable: false });
    await storage.flush(['data/ab/pack']);
    // Replacing is whole too: the old bytes or the new, never a mix.
    await storage.write('snapshots/one', Buffer.from('replaced'));
    assert.deepEqual(await storage.list('snapshots'), ['one']);
    assert.deepEqual(await storage.list('data'), ['ab/pack']);
    assert.deepEqual(await storage.list('missing-folder'), []);
    assert.deepEqual(readdirSync(at('repo', 'tmp')), [], 'no temp file is left');
    assert.equal(await storage.size('data/ab/pack'), 1000);
    assert.equal(await storage.size('data/ab/none'), undefined);
    assert.equal((await storage.read('snapshots/one', 100)).toString(), 'replaced');
    const reader = await storage.openReader('data/ab/pack');
    assert.equal(reader.size, 1000);
    assert.deepEqual(await reader.read(990, 10), Buffer.alloc(10, 7));
    await assert.rejects(reader.read(995, 10), /ends early/);
    await reader.close();
  });

  it('refuses a file above the size a reader allows, and tells a missing file from a failure', async () => {
    const storage = new LocalStorage(at('limits'));
    await storage.create([]);
    await storage.write('config', Buffer.alloc(100));
    await assert.rejects(storage.read('config', 99), /100 bytes, more than the 99/);
    await assert.rejects(storage.read('gone', 10), (error: unknown) => {
      assert.ok(error instanceof StorageError && error.missing);
      return true;
    });
  });

  it('moves a staged file in under its name, and removes files (false when already gone)', async () => {
    const storage = new LocalStorage(at('staged'));
    await storage.create(['tmp']);
    const staged = join(storage.stagingDir, 'pack-1.tmp');
    writeFileSync(staged, 'packed');
    await storage.putFile(staged, 'data/cd/cdef');
    assert.deepEqual(readdirSync(storage.stagingDir), []);
    assert.equal((await storage.read('data/cd/cdef', 10)).toString(), 'packed');
    assert.equal(await storage.remove('data/cd/cdef'), true);
    assert.equal(await storage.remove('data/cd/cdef'), false);
    for (const name of ['index/a', 'index/b', 'data/ef/ef01']) await storage.write(name, Buffer.from(name));
    await storage.removeAll(['index/a', 'data/ef/ef01', 'index/never-there']);
    assert.deepEqual(await storage.list('index'), ['b']);
    assert.deepEqual(await storage.list('data'), []);
  });

  it('says a non-empty folder or a file is no place for a new repository', async () => {
    mkdirSync(at('full'));
    writeFileSync(at('full', 'x'), '');
    assert.equal(await new LocalStorage(at('full')).rootState(), 'not-empty');
    assert.equal(await new LocalStorage(at('full', 'x')).rootState(), 'not-a-folder');
    mkdirSync(at('empty'));
    assert.equal(await new LocalStorage(at('empty')).rootState(), 'empty');
  });
});
