/** Key files: master keys sealed under a scrypt-derived key; every field checked before use. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createKeyFile,
  createMasterKeys,
  DEFAULT_SCRYPT,
  KeyFileError,
  keyFileId,
  openAnyKeyFile,
  openKeyFile,
  parseKeyFile,
  SCRYPT_LIMITS,
  WrongPasswordError,
} from '../../src/repo/keys.js';

// Cheap parameters keep the suite fast; one test below uses the defaults.
const CHEAP = { N: 2 ** 10, r: 8, p: 1 };
const origin = { repo: '/backups/repo' };

async function cheapKeyFile(password = 'correct horse') {
  return createKeyFile(password, { scrypt: CHEAP });
}

function edited(json: string, change: (file: Record<string, unknown>) => void): string {
  const file = JSON.parse(json) as Record<string, unknown>;
  change(file);
  return JSON.stringify(file);
}

describe('key files', () => {
  it('opens with its password to the master keys it was made with, at the default cost', async () => {
    const made = await createKeyFile('correct horse');
    const file = JSON.parse(made.json);
    assert.deepEqual(
      { N: file.N, r: file.r, p: file.p, kdf: file.kdf, version: file.version },
      { ...DEFAULT_SCRYPT, kdf: 'scrypt', version: 1 },
    );
    assert.equal(made.keyId, keyFileId(made.json));
    assert.match(made.keyId, /^[0-9a-f]{64}$/);
    const keys = await openKeyFile(made.json, 'correct horse', origin);
    assert.deepEqual(keys, made.masterKeys);
    for (const name of ['encryption', 'id', 'chunkerSeed'] as const) assert.equal(keys[name].length, 32);
    assert.notDeepEqual(keys.encryption, keys.id);
    assert.notDeepEqual(keys.id, keys.chunkerSeed);
  });

  it('lets several key files hold the same master keys under different passwords', async () => {
    const first = await cheapKeyFile('first password');
    const second = await createKeyFile('second password', { masterKeys: first.masterKeys, scrypt: CHEAP });
    assert.notEqual(second.keyId, first.keyId);
    assert.deepEqual(await openKeyFile(second.json, 'second password', origin), first.masterKeys);
    await assert.rejects(openKeyFile(second.json, 'first password', origin), WrongPasswordError);
  });

  it('opens whichever of several key files the password fits, skipping damaged ones', async () => {
    const first = await cheapKeyFile('first password');
    const second = await createKeyFile('second password', { masterKeys: first.masterKeys, scrypt: CHEAP });
    const files = [
      { keyId: 'damaged', json: '{' },
      { keyId: first.keyId, json: first.json },
      { keyId: second.keyId, json: second.json },
    ];
    const opened = await openAnyKeyFile(files, 'second password', '/backups/repo');
    assert.equal(opened.keyId, second.keyId);
    assert.deepEqual(opened.masterKeys, first.masterKeys);
    await assert.rejects(openAnyKeyFile(files, 'third password', '/backups/repo'), (error: unknown) => {
      assert.ok(error instanceof WrongPasswordError);
      assert.match(error.message, /^wrong password for \/backups\/repo: none of its 3 keys opens with it/);
      return true;
    });
    await assert.rejects(openAnyKeyFile([files[0]!], 'first password', '/backups/repo'), KeyFileError);
    // A key file under another file's name (renamed, or its bytes edited) is damage, not a key.
    await assert.rejects(
      openKeyFile(first.json, 'first password', { repo: '/backups/repo', keyId: second.keyId }),
      /is not named by the SHA-256 of its bytes/,
    );
    await assert.rejects(openAnyKeyFile([], 'first password', '/backups/repo'), /has no key files/);
  });

  it('names the repository and the key on a wrong password', async () => {
    const made = await cheapKeyFile();
    await assert.rejects(openKeyFile(made.json, 'battery staple', origin), (error: unknown) => {
      assert.ok(error instanceof WrongPasswordError);
      assert.equal(error.code, 'ERR_VIGIL_WRONG_PASSWORD');
      assert.match(error.message, new RegExp(`^wrong password for /backups/repo's key ${made.keyId.slice(0, 16)}: `));
      return true;
    });
  });

  it('refuses a key file whose sealed master keys or salt were altered', async () => {
    const made = await cheapKeyFile();
    const sealed = Buffer.from(JSON.parse(made.json).masterKeys, 'base64');
    for (const at of [0, 20, sealed.length - 1]) {
      const altered = Buffer.from(sealed);
      altered[at] ^= 1;
      const json = edited(made.json, (file) => {
        file.masterKeys = altered.toString('base64');
      });
      await assert.rejects(openKeyFile(json, 'correct horse', origin), WrongPasswordError, `byte ${at}`);
    }
    const otherSalt = edited(made.json, (file) => {
      file.salt = Buffer.alloc(32, 7).toString('base64');
    });
    await assert.rejects(openKeyFile(otherSalt, 'correct horse', origin), WrongPasswordError);
    // Cheaper parameters than it was made with derive another key: refused, not a crash.
    const cheaper = edited(made.json, (file) => {
      file.N = 2 ** 11;
    });
    await assert.rejects(openKeyFile(cheaper, 'correct horse', origin), WrongPasswordError);
  });

  it('refuses malformed files with a KeyFileError naming the field', async () => {
    const made = await cheapKeyFile();
    const cases: [string, string, RegExp][] = [
      ['not JSON', '{"version": 1,', /is not JSON/],
      ['not an object', '[1, 2]', /is not a JSON object/],
      ['null', 'null', /is not a JSON object/],
      ['huge', `{"pad": "${'x'.repeat(100_000)}"}`, /over the 65536 a key file may be/],
      ['no version', edited(made.json, (f) => delete f.version), /"version"/],
      ['newer version', edited(made.json, (f) => (f.version = 2)), /newer than this vigil reads/],
      ['other kdf', edited(made.json, (f) => (f.kdf = 'argon2id')), /"kdf"/],
      ['N a string', edited(made.json, (f) => (f.N = '1024')), /"N"/],
      ['r fractional', edited(made.json, (f) => (f.r = 8.5)), /"r"/],
      ['short salt', edited(made.json, (f) => (f.salt = Buffer.alloc(16).toString('base64'))), /"salt"/],
      ['salt not base64', edited(made.json, (f) => (f.salt = '!!!!')), /"salt"/],
      ['salt a number', edited(made.json, (f) => (f.salt = 5)), /"salt"/],
      ['keys missing', edited(made.json, (f) => delete f.masterKeys), /"masterKeys"/],
      [
        'keys truncated',
        edited(
          made.json,
          (f) =>
            (f.masterKeys = Buffer.from(f.masterKeys as string, 'base64')
              .subarray(0, 100)
              .toString('base64')),
        ),
        /"masterKeys"/,
      ],
    ];
    for (const [what, json, message] of cases) {
      await assert.rejects(
        openKeyFile(json, 'correct horse', origin),
        (error: unknown) =>
          error instanceof KeyFileError && error.code === 'ERR_VIGIL_KEY_FILE' && message.test(error.message),
        what,
      );
    }
  });

  it('refuses hostile scrypt parameters before deriving anything', async () => {
    const made = await cheapKeyFile();
    const hostile: [string, Record<string, number>][] = [
      ['N of 2^30 (128 GiB)', { N: 2 ** 30 }],
      ['N over the limit', { N: 2 ** (SCRYPT_LIMITS.maxLogN + 1) }],
      ['N not a power of two', { N: 1000 }],
      ['N too small', { N: 2 ** 4 }],
      ['N zero', { N: 0 }],
      ['r huge', { r: 2 ** 20 }],
      ['r zero', { r: 0 }],
      ['p huge', { p: 2 ** 30 }],
      ['p negative', { p: -1 }],
      ['memory over 256 MiB', { N: 2 ** 20, r: 8 }],
      ['work over the limit', { N: 2 ** 17, r: 16, p: 16 }],
    ];
    for (const [what, params] of hostile) {
      const json = edited(made.json, (file) => Object.assign(file, params));
      assert.throws(() => parseKeyFile(json, 'key'), KeyFileError, what);
      await assert.rejects(openKeyFile(json, 'correct horse', origin), KeyFileError, what);
    }
  });

  it('refuses to make a key file with an empty password or out-of-range parameters', async () => {
    await assert.rejects(createKeyFile('', { scrypt: CHEAP }), KeyFileError);
    await assert.rejects(createKeyFile('pw', { scrypt: { N: 2 ** 25, r: 8, p: 1 } }), RangeError);
    const keys = createMasterKeys();
    await assert.rejects(
      createKeyFile('pw', { scrypt: CHEAP, masterKeys: { ...keys, id: keys.id.subarray(0, 16) } }),
      RangeError,
    );
  });

  it('takes a password in any Unicode normalization form', async () => {
    const made = await createKeyFile('caf\u00e9', { scrypt: CHEAP });
    assert.deepEqual(await openKeyFile(made.json, 'cafe\u0301', origin), made.masterKeys);
  });
});
