/**
 * `vigil init` and `vigil key` through the command line, so exit codes and messages are what
 * users see. Passwords come from VIGIL_PASSWORD and password files, never a terminal (stdin
 * is not one here). One test runs the shipped binary with the default scrypt cost; the others
 * run test/support/cheap-keys-cli.mjs, the same program whose new key files cost scrypt 2^10,
 * so a test can make several keys without 0.3 s each.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { addKey as addKeyFile, removeKey } from '../src/repo/key-store.js';
import { Repository } from '../src/repo/repository.js';
import { type RunResult, run, suiteDir, vigil } from './helpers.js';

const CHEAP_KEYS_CLI = fileURLToPath(new URL('./support/cheap-keys-cli.mjs', import.meta.url));
/** No password from the environment the tests run in: each test says where its password comes from. */
const NO_PASSWORD = { VIGIL_PASSWORD: '', VIGIL_PASSWORD_FILE: '' };

/** vigil with cheap new keys; `password` is VIGIL_PASSWORD (none when omitted). */
function cli(args: readonly string[], password?: string): Promise<RunResult> {
  return run(process.execPath, [CHEAP_KEYS_CLI, ...args], {
    env: { ...NO_PASSWORD, ...(password === undefined ? {} : { VIGIL_PASSWORD: password }) },
  });
}

/** Asserts the exit code, showing stderr when it differs; returns stdout. */
function expectCode(result: RunResult, code: number): string {
  assert.equal(result.code, code, `exit ${result.code}, stderr: ${result.stderr}`);
  return result.stdout.toString();
}

/** The KEYIDs `vigil key list` prints, and which one it marks as having opened the repository. */
function listed(stdout: string): { ids: string[]; current: string | undefined } {
  const rows = [...stdout.matchAll(/^([* ]) {2}([0-9a-f]{16}) /gm)];
  return { ids: rows.map((row) => row[2] as string).sort(), current: rows.find((row) => row[1] === '*')?.[2] };
}

function keyNames(repo: string): string[] {
  return readdirSync(join(repo, 'keys')).sort();
}

/** Every file under `repo` but keys/ and tmp/: its bytes, inode and mtime (a rewrite changes one). */
function otherFiles(repo: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const name = relative(repo, path);
      if (name === 'keys' || name === 'tmp') continue;
      if (entry.isDirectory()) walk(path);
      else {
        const stat = statSync(path, { bigint: true });
        found[name] = `${createHash('sha256').update(readFileSync(path)).digest('hex')} ${stat.ino} ${stat.mtimeNs}`;
      }
    }
  };
  walk(repo);
  return found;
}

describe('vigil init', () => {
  const at = suiteDir('vigil-keys-init-');

  it('makes an encrypted repository with one key of the default cost (the shipped binary)', async () => {
    const repo = at('encrypted');
    const made = expectCode(await vigil(['init', repo], { env: { ...NO_PASSWORD, VIGIL_PASSWORD: 'pw' } }), 0);
    const keyId = /^created encrypted repository (\S+) \(key ([0-9a-f]{16})\)\n$/.exec(made);
    assert.ok(keyId, made);
    assert.equal(keyId[1], repo);
    assert.deepEqual(
      keyNames(repo).map((name) => name.slice(0, 16)),
      [keyId[2]],
    );
    const config = JSON.parse(readFileSync(join(repo, 'vigil-repository.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(config.encryption, 'aes-256-gcm');
    assert.equal(config.masterKeys, undefined);

    const list = expectCode(await vigil(['key', 'list', repo], { env: { ...NO_PASSWORD, VIGIL_PASSWORD: 'pw' } }), 0);
    assert.deepEqual(listed(list), { ids: [keyId[2]], current: keyId[2] });
    assert.match(list, /N=65536 r=8 p=1/);
  });

  it('--no-encryption makes a plain repository, says who can read it, and has no keys to manage', async () => {
    const repo = at('plain');
    const made = expectCode(await cli(['init', '--no-encryption', repo]), 0);
    assert.match(made, /WITHOUT encryption/);
    assert.match(made, new RegExp(`anyone who can read ${repo} can read its backups`));
    const config = JSON.parse(readFileSync(join(repo, 'vigil-repository.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(config.encryption, 'none');
    assert.deepEqual(keyNames(repo), []);

    assert.match(expectCode(await cli(['key', 'list', repo]), 0), /has no encryption: it has no key files/);
    writeFileSync(at('new-pw'), 'new\n');
    const add = await cli(['key', 'add', repo, '--new-password-file', at('new-pw')]);
    expectCode(add, 2);
    assert.match(add.stderr, /has no encryption: its keys are in its config; make a new encrypted repository/);
    assert.deepEqual(keyNames(repo), []);
  });

  it('refuses a directory that is not empty before asking for a password (exit 2)', async () => {
    const dir = at('not-empty');
    mkdirSync(dir);
    writeFileSync(join(dir, 'precious'), 'keep me\n');
    // No password source at all: the refusal must come first, not "no password".
    const refused = await cli(['init', dir]);
    expectCode(refused, 2);
    assert.match(refused.stderr, /exists and is not an empty directory/);
    assert.deepEqual(readdirSync(dir), ['precious']);
  });

  it('with no password source and no terminal, exits 2 naming the sources and makes nothing', async () => {
    const repo = at('no-password');
    const refused = await cli(['init', repo]);
    expectCode(refused, 2);
    assert.match(refused.stderr, /VIGIL_PASSWORD_FILE/);
    assert.match(refused.stderr, /--password-file/);
    assert.equal(existsSync(repo), false);
  });
});

describe('vigil key', () => {
  const at = suiteDir('vigil-keys-');

  /** A new encrypted repository under `password`; returns its path and first key's id. */
  async function makeRepo(name: string, password: string): Promise<{ repo: string; first: string }> {
    const repo = at(name);
    const made = expectCode(await cli(['init', repo], password), 0);
    const first = /\(key ([0-9a-f]{16})\)/.exec(made)?.[1];
    assert.ok(first, made);
    return { repo, first };
  }

  /** `key add` under the password in a new file; returns the new key's id. */
  async function addKey(repo: string, password: string, newPassword: string): Promise<string> {
    const file = at(`${newPassword}.txt`);
    writeFileSync(file, `${newPassword}\n`);
    const added = expectCode(await cli(['key', 'add', repo, '--new-password-file', file], password), 0);
    const id = /^added key ([0-9a-f]{16}) to /.exec(added)?.[1];
    assert.ok(id, added);
    return id;
  }

  it('a wrong password exits 5 and says so', async () => {
    const { repo } = await makeRepo('wrong', 'right');
    const wrong = await cli(['key', 'list', repo], 'not it');
    expectCode(wrong, 5);
    assert.match(wrong.stderr, /wrong password/);
  });

  it('key add: both passwords open the repository, each marked as the opener', async () => {
    const { repo, first } = await makeRepo('add', 'first');
    const second = await addKey(repo, 'first', 'second');
    assert.notEqual(second, first);
    assert.equal(keyNames(repo).length, 2);
    // The current password from --password-file this time, the other from VIGIL_PASSWORD.
    writeFileSync(at('first.txt'), 'first\n');
    const byFirst = expectCode(await cli(['key', 'list', repo, '--password-file', at('first.txt')]), 0);
    assert.deepEqual(listed(byFirst), { ids: [first, second].sort(), current: first });
    const bySecond = expectCode(await cli(['key', 'list', repo, '--json'], 'second'), 0);
    const json = JSON.parse(bySecond) as { id: string; current: boolean; scrypt: { N: number }; damaged: null }[];
    assert.deepEqual(
      json.map((k) => [k.id, k.current, k.scrypt.N, k.damaged]),
      [
        [first, false, 1024, null],
        [second, true, 1024, null],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  });

  it('key add without --new-password-file and without a terminal exits 2 naming the flag', async () => {
    const { repo } = await makeRepo('add-no-new', 'pw');
    const refused = await cli(['key', 'add', repo], 'pw');
    expectCode(refused, 2);
    assert.match(refused.stderr, /--new-password-file/);
    assert.equal(keyNames(repo).length, 1);
  });

  it('key passwd: the old password exits 5, the new one opens, and no other file is rewritten', async () => {
    const { repo, first } = await makeRepo('passwd', 'old');
    // Stand-ins for a backup's files: passwd must not read, rewrite or touch any of them.
    mkdirSync(join(repo, 'data', 'ab'));
    writeFileSync(join(repo, 'data', 'ab', 'ab'.padEnd(64, '0')), 'pack bytes');
    writeFileSync(join(repo, 'index', 'cd'.padEnd(64, '0')), 'index bytes');
    writeFileSync(join(repo, 'snapshots', 'ef'.padEnd(64, '0')), 'snapshot bytes');
    const before = otherFiles(repo);
    assert.equal(Object.keys(before).length, 4); // the config and the three above

    writeFileSync(at('new.txt'), 'new\n');
    const changed = expectCode(await cli(['key', 'passwd', repo, '--new-password-file', at('new.txt')], 'old'), 0);
    const ids = /added key ([0-9a-f]{16}), removed ([0-9a-f]{16})/.exec(changed);
    assert.ok(ids, changed);
    assert.equal(ids[2], first);
    assert.deepEqual(
      keyNames(repo).map((name) => name.slice(0, 16)),
      [ids[1]],
    );

    expectCode(await cli(['key', 'list', repo], 'old'), 5);
    assert.deepEqual(listed(expectCode(await cli(['key', 'list', repo], 'new'), 0)), {
      ids: [ids[1] as string],
      current: ids[1],
    });
    assert.deepEqual(otherFiles(repo), before);
    assert.deepEqual(readdirSync(join(repo, 'tmp')), []);
  });

  it('key remove: refuses the key that opened the repository and the last key, removes another', async () => {
    const { repo, first } = await makeRepo('remove', 'first');
    const second = await addKey(repo, 'first', 'second');

    const current = await cli(['key', 'remove', repo, first.slice(0, 8)], 'first');
    expectCode(current, 2);
    assert.match(current.stderr, /is the key that opened .* now/);
    assert.equal(keyNames(repo).length, 2);

    const tooShort = await cli(['key', 'remove', repo, second.slice(0, 7)], 'first');
    expectCode(tooShort, 2);
    assert.match(tooShort.stderr, /at least 8 hex digits/);

    const removed = expectCode(await cli(['key', 'remove', repo, second.slice(0, 8)], 'first'), 0);
    assert.match(removed, new RegExp(`removed key ${second} from `));
    assert.deepEqual(
      keyNames(repo).map((name) => name.slice(0, 16)),
      [first],
    );
    expectCode(await cli(['key', 'list', repo], 'second'), 5);

    const last = await cli(['key', 'remove', repo, first], 'first');
    expectCode(last, 2);
    assert.match(last.stderr, /is the last key of .*vigil key passwd/);
    assert.equal(keyNames(repo).length, 1);
  });

  /** Changes one byte of the key file `id` names: "created" becomes "Created" (still JSON, no longer what its name hashes). */
  function alterKey(repo: string, id: string): void {
    const path = join(repo, 'keys', keyNames(repo).find((name) => name.startsWith(id)) as string);
    const bytes = readFileSync(path);
    const offset = bytes.indexOf('"created"') + 1;
    bytes.writeUInt8(bytes.readUInt8(offset) ^ 0x20, offset);
    writeFileSync(path, bytes);
  }

  it('a key file altered by one byte is refused with a message naming it (exit 2, not a crash)', async () => {
    const { repo, first } = await makeRepo('altered', 'pw');
    alterKey(repo, first);
    const refused = await cli(['key', 'list', repo], 'pw');
    expectCode(refused, 2);
    assert.match(refused.stderr, new RegExp(`key file ${first} is not named by the SHA-256 of its bytes.*altered`));
    assert.doesNotMatch(refused.stderr, /internal error/);
  });

  it('key list shows an altered key file as damaged beside the sound one that opened', async () => {
    const { repo, first } = await makeRepo('altered-two', 'first');
    const second = await addKey(repo, 'first', 'second');
    alterKey(repo, second);
    const list = expectCode(await cli(['key', 'list', repo], 'first'), 0);
    assert.deepEqual(listed(list), { ids: [first, second].sort(), current: first });
    assert.match(list, new RegExp(`${second} +DAMAGED +its bytes do not hash to its name`));
    // A damaged key can still be removed: it is no use to anyone.
    expectCode(await cli(['key', 'remove', repo, second], 'first'), 0);
    assert.equal(keyNames(repo).length, 1);
  });
});

describe('key-store: two removals racing', () => {
  const at = suiteDir('vigil-keys-race-');
  const CHEAP = { N: 2 ** 10, r: 8, p: 1 };

  it('puts the removed key back when the key that opened the repository vanished meanwhile', async () => {
    const repo = await Repository.init(at('race'), { password: 'a', scrypt: CHEAP });
    const b = await addKeyFile(repo, 'b', CHEAP);
    const c = await addKeyFile(repo, 'c', CHEAP);
    // Another run, opened with b or c, removed our key (a) just before we remove b: b must stay,
    // or a third such run removing c would leave the repository with no key at all.
    unlinkSync(join(join(repo.root, 'keys'), repo.keyId as string));
    await assert.rejects(() => removeKey(repo, b), /another run removed .* was put back/);
    assert.deepEqual(readdirSync(join(repo.root, 'keys')).sort(), [b, c].sort());
    const reopened = await Repository.open(repo.root, { password: async () => 'b' });
    assert.equal(reopened.keyId, b);
  });
});
