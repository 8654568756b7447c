/** Signed baselines (issue 17, item 12): --sign-key on baseline and accept, --verify-key on check and accept. */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir, vigil } from './helpers.js';

describe('signed baselines', () => {
  let dir: { path: string; cleanup: () => void };
  const at = (...parts: string[]) => join(dir.path, ...parts);
  const db = () => at('tree', '.vigil', 'baseline.db');

  before(() => {
    dir = tempDir();
    mkdirSync(at('tree'));
    writeFileSync(at('tree', 'sshd'), 'the real binary\n');
    writeFileSync(at('tree', 'passwd'), 'root:x:0:0\n');
    const pem = (type: 'ed25519' | 'rsa', name: string) => {
      const { privateKey, publicKey } =
        type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
      writeFileSync(at(`${name}.key`), privateKey.export({ type: 'pkcs8', format: 'pem' }));
      writeFileSync(at(`${name}.pub`), publicKey.export({ type: 'spki', format: 'pem' }));
    };
    pem('ed25519', 'site');
    pem('ed25519', 'other');
    pem('rsa', 'rsa');
  });
  after(() => dir.cleanup());

  it('a signed baseline checks clean under its public key', async () => {
    const made = await vigil(['baseline', '--sign-key', at('site.key'), 'tree'], { cwd: dir.path });
    assert.equal(made.code, 0, made.stderr);
    assert.ok(existsSync(`${db()}.sig`));
    const checked = await vigil(['check', '--verify-key', at('site.pub'), 'tree'], { cwd: dir.path });
    assert.equal(checked.code, 0, checked.stderr);
    assert.match(checked.stdout.toString(), /No changes/);
  });

  it('refuses a baseline swapped to hide a change (exit 2, nothing reported), which a plain check misses', async () => {
    await vigil(['baseline', '--sign-key', at('site.key'), 'tree'], { cwd: dir.path });
    writeFileSync(at('tree', 'sshd'), 'a trojan\n');
    // The intruder records the tree as it now is and puts that database in place of the signed one.
    assert.equal((await vigil(['baseline', '--db', at('forged.db'), 'tree'], { cwd: dir.path })).code, 0);
    copyFileSync(at('forged.db'), db());
    const plain = await vigil(['check', 'tree'], { cwd: dir.path });
    assert.equal(plain.code, 0, 'without a signature check, the forged baseline hides the change');
    const verified = await vigil(['check', '--verify-key', at('site.pub'), 'tree'], { cwd: dir.path });
    assert.equal(verified.code, 2);
    assert.equal(verified.stdout.toString(), '');
    assert.match(verified.stderr, /does not match its signature: it was altered after it was signed/);
    const accepting = await vigil(['accept', '--verify-key', at('site.pub'), '--sign-key', at('site.key'), 'tree'], {
      cwd: dir.path,
    });
    assert.equal(accepting.code, 2, 'accept does not sign what it cannot verify');
  });

  it('refuses another key, a missing signature, and a key that is not Ed25519', async () => {
    await vigil(['baseline', '--sign-key', at('site.key'), 'tree'], { cwd: dir.path });
    const other = await vigil(['check', '--verify-key', at('other.pub'), 'tree'], { cwd: dir.path });
    assert.equal(other.code, 2);
    assert.match(other.stderr, /does not match its signature/);

    const unsigned = await vigil(['baseline', 'tree'], { cwd: dir.path });
    assert.equal(unsigned.code, 0);
    assert.ok(!existsSync(`${db()}.sig`), 'an unsigned baseline leaves no stale signature');
    const missing = await vigil(['check', '--verify-key', at('site.pub'), 'tree'], { cwd: dir.path });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /has no readable signature/);

    const rsa = await vigil(['baseline', '--sign-key', at('rsa.key'), 'tree'], { cwd: dir.path });
    assert.equal(rsa.code, 2);
    assert.match(rsa.stderr, /rsa\.key holds a key of type rsa: vigil signs baselines with Ed25519 only/);
  });

  it('accept --sign-key signs the updated baseline', async () => {
    await vigil(['baseline', '--sign-key', at('site.key'), 'tree'], { cwd: dir.path });
    writeFileSync(at('tree', 'passwd'), 'root:x:0:0\nnew:x:1000:1000\n');
    const accepted = await vigil(['accept', '--verify-key', at('site.pub'), '--sign-key', at('site.key'), 'tree'], {
      cwd: dir.path,
    });
    assert.equal(accepted.code, 0, accepted.stderr);
    const checked = await vigil(['check', '--verify-key', at('site.pub'), 'tree'], { cwd: dir.path });
    assert.equal(checked.code, 0, checked.stderr);
  });
});
