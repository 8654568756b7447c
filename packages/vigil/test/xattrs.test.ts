/**
 * Extended attributes in baselines (issue 17, item 11): user attributes, POSIX ACLs
 * (setfacl), file capabilities (setcap) and attributes of directories and symlinks are
 * recorded, and a change to any is reported under metadata, naming the attribute, in text
 * and JSON. Also: the JavaScript reader (which cannot read them) in both directions, a
 * baseline of schema version 1, and a signed baseline whose stored attributes were edited.
 *
 * SELinux labels (security.selinux) cannot be set on a machine without SELinux; they are
 * read, stored and compared by the same path as every attribute here.
 * Needs root (setcap; trusted.* on a symlink), as CI runs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { diffXattrs } from '../src/baseline/xattr-changes.js';
import { canonicalXattrs, decodeXattrs, encodeXattrs } from '../src/fs/xattrs.js';
import { type RunResult, tempDir, vigil } from './helpers.js';

const HOUR_AGO = new Date(Date.now() - 3_600_000);
const JS_READER = { VIGIL_NATIVE: '0' };

/** Runs a system tool the tests need; a missing one fails the test saying how to install it. */
function tool(command: string, ...args: string[]): void {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${command} is not installed: run scripts/install-system-deps.sh (as root)`);
    }
    throw error;
  }
}

interface Case {
  readonly name: string;
  /** Makes the tree (in `tree`) before the baseline. */
  readonly setUp: (tree: string) => void;
  /** The change after the baseline. */
  readonly change: (tree: string) => void;
  /** The path the change is reported at, and the attribute change as text and JSON name it. */
  readonly path: string;
  readonly text: string;
  readonly json: Record<string, string>;
}

/** Sets (adds or changes) one extended attribute of f; `setfattr` changes f's ctime, not its mtime. */
const setXattr = (tree: string, name: string, value: string) =>
  tool('setfattr', '-n', name, '-v', value, join(tree, 'f'));
/** Removes one extended attribute of f. */
const removeXattr = (tree: string, name: string) => tool('setfattr', '-x', name, join(tree, 'f'));
/** The test file f, an hour old (so the fast path may trust it), with these extended attributes. */
const file = (tree: string, xattrs: Record<string, string> = {}) => {
  writeFileSync(join(tree, 'f'), 'a binary\n');
  utimesSync(join(tree, 'f'), HOUR_AGO, HOUR_AGO);
  for (const [name, value] of Object.entries(xattrs)) setXattr(tree, name, value);
};

const CASES: readonly Case[] = [
  {
    name: 'a user attribute set',
    setUp: (t) => file(t),
    change: (t) => setXattr(t, 'user.note', 'hello'),
    path: 'f',
    text: 'xattr user.note added',
    json: { name: 'user.note', change: 'added' },
  },
  {
    name: 'a user attribute changed',
    setUp: (t) => file(t, { 'user.note': 'before' }),
    change: (t) => setXattr(t, 'user.note', 'after'),
    path: 'f',
    text: 'xattr user.note changed',
    json: { name: 'user.note', change: 'changed' },
  },
  {
    name: 'a user attribute removed',
    setUp: (t) => file(t, { 'user.note': 'before', 'user.kept': 'same' }),
    change: (t) => removeXattr(t, 'user.note'),
    path: 'f',
    text: 'xattr user.note removed',
    json: { name: 'user.note', change: 'removed' },
  },
  {
    name: 'a POSIX ACL (setfacl)',
    setUp: (t) => file(t),
    change: (t) => tool('setfacl', '-m', 'u:4321:r', join(t, 'f')),
    path: 'f',
    text: 'xattr system.posix_acl_access added (POSIX ACL)',
    json: { name: 'system.posix_acl_access', change: 'added', meaning: 'POSIX ACL' },
  },
  {
    name: 'a file capability (setcap)',
    setUp: (t) => file(t),
    change: (t) => tool('setcap', 'cap_net_raw+ep', join(t, 'f')),
    path: 'f',
    text: 'xattr security.capability added (file capability)',
    json: { name: 'security.capability', change: 'added', meaning: 'file capability' },
  },
  {
    name: "a directory's default ACL",
    setUp: (t) => mkdirSync(join(t, 'd')),
    change: (t) => tool('setfacl', '-d', '-m', 'u:4321:rx', join(t, 'd')),
    path: 'd',
    text: 'xattr system.posix_acl_default added (default POSIX ACL)',
    json: { name: 'system.posix_acl_default', change: 'added', meaning: 'default POSIX ACL' },
  },
  {
    name: "a symlink's own attribute (not its target's)",
    setUp: (t) => {
      file(t);
      symlinkSync('f', join(t, 'link'));
    },
    // Linux refuses user.* on a symlink; root may set trusted.* there.
    change: (t) => tool('setfattr', '-h', '-n', 'trusted.note', '-v', 'x', join(t, 'link')),
    path: 'link',
    text: 'xattr trusted.note added',
    json: { name: 'trusted.note', change: 'added' },
  },
];

describe('extended attributes in baselines', () => {
  let dir: { path: string; cleanup: () => void };
  const at = (...names: string[]) => join(dir.path, ...names);
  let serial = 0;
  /** A fresh, empty tree. */
  const newTree = () => {
    const tree = at(`tree-${serial++}`);
    mkdirSync(tree);
    return tree;
  };
  const ok = (result: RunResult, code = 0) => assert.equal(result.code, code, result.stderr);

  before(() => {
    dir = tempDir();
  });
  after(() => dir.cleanup());

  for (const c of CASES) {
    it(`reports ${c.name} under metadata, in text and JSON (exit 1); accept makes it clean`, async () => {
      const tree = newTree();
      c.setUp(tree);
      ok(await vigil(['baseline', tree]));
      ok(await vigil(['check', tree]));
      c.change(tree);

      const text = await vigil(['check', tree]);
      ok(text, 1);
      const report = text.stdout.toString();
      assert.match(report, /^metadata \(1\):$/m, report);
      assert.ok(report.includes(`  * ${c.path} (${c.text})\n`), report);
      assert.match(report, /Summary: 1 metadata /);

      const json = await vigil(['check', '--json', tree]);
      ok(json, 1);
      const changes = JSON.parse(json.stdout.toString()).changes;
      assert.deepEqual(
        changes.map((change: Record<string, unknown>) => [change.type, change.path, change.fields, change.xattrs]),
        [['metadata', c.path, ['xattrs'], [c.json]]],
      );

      const accepted = await vigil(['accept', tree]);
      ok(accepted);
      assert.match(accepted.stdout.toString(), /Accepted 1 changed entries/);
      ok(await vigil(['check', tree]));
    });
  }

  it('reports a capability set on a file whose content and mtime stay, which the fast path would trust', async () => {
    const tree = newTree();
    file(tree);
    ok(await vigil(['baseline', tree]));
    tool('setcap', 'cap_setuid+ep', join(tree, 'f'));
    utimesSync(join(tree, 'f'), HOUR_AGO, HOUR_AGO);
    const checked = await vigil(['check', '--ndjson', tree]);
    ok(checked, 1);
    const first = JSON.parse(checked.stdout.toString().split('\n')[0] as string);
    assert.deepEqual(first.xattrs, [{ name: 'security.capability', change: 'added', meaning: 'file capability' }]);
  });

  it('without the native reader: says so, records none, and neither side reports every file changed', async () => {
    const tree = newTree();
    file(tree, { 'user.note': 'one' });
    const plain = await vigil(['baseline', tree], { env: JS_READER });
    ok(plain);
    assert.match(
      plain.stderr,
      /extended attributes not recorded: only the native reader reads them, and it is turned off by VIGIL_NATIVE=0/,
    );
    const db = new Database(join(tree, '.vigil', 'baseline.db'), { readonly: true });
    assert.deepEqual(db.prepare('SELECT count(*) FROM entries WHERE xattrs IS NOT NULL').pluck().get(), 0);
    db.close();

    // A check with the addon has nothing to compare them with: no change, one line saying what to do.
    const native = await vigil(['check', tree]);
    ok(native);
    assert.match(native.stderr, /1 entries of the baseline have no record of extended attributes .*run "vigil accept"/);
    ok(await vigil(['accept', tree]));
    const recorded = await vigil(['check', tree]);
    ok(recorded);
    assert.equal(recorded.stderr, '');

    // The other way: a baseline with them, checked without the addon, is not all changed.
    const js = await vigil(['check', tree], { env: JS_READER });
    ok(js);
    assert.match(js.stderr, /extended attributes not checked: only the native reader reads them/);
    assert.match(js.stdout.toString(), /No changes/);

    // accept without the addon keeps the recorded attributes of what it accepts: a later
    // check with the addon still sees an attribute changed.
    writeFileSync(join(tree, 'f'), 'new content\n');
    const acceptedJs = await vigil(['accept', tree], { env: JS_READER });
    ok(acceptedJs);
    assert.match(acceptedJs.stderr, /extended attributes not read: .*those already recorded are kept/);
    ok(await vigil(['check', tree]));
    setXattr(tree, 'user.note', 'two');
    const changed = await vigil(['check', tree]);
    ok(changed, 1);
    assert.match(changed.stdout.toString(), /\* f \(xattr user\.note changed\)/);
  });

  it('checks a baseline of schema version 1 without false alarms, and accept brings it to version 2', async () => {
    const tree = newTree();
    file(tree, { 'user.note': 'one' });
    ok(await vigil(['baseline', tree]));
    const path = join(tree, '.vigil', 'baseline.db');
    let db = new Database(path);
    db.exec('ALTER TABLE entries DROP COLUMN xattrs; UPDATE schema_version SET version = 1');
    db.close();
    const old = await vigil(['check', tree]);
    ok(old);
    assert.match(old.stdout.toString(), /No changes/);
    assert.match(old.stderr, /1 entries of the baseline have no record of extended attributes/);
    ok(await vigil(['accept', tree]));
    db = new Database(path, { readonly: true });
    assert.equal(db.prepare('SELECT version FROM schema_version').pluck().get(), 2);
    db.close();
    removeXattr(tree, 'user.note');
    const changed = await vigil(['check', tree]);
    ok(changed, 1);
    assert.match(changed.stdout.toString(), /\* f \(xattr user\.note removed\)/);
  });

  // An integer 0 is what an empty record reads as inside the store (store.ts): stored, it is damage all the same.
  const DAMAGED: readonly [string, Buffer | number | string][] = [
    ['a value past its end', Buffer.from('user.x\0\0\0\0\x09abc')],
    ['the integer 0', 0],
    ['text', 'user.x'],
  ];
  for (const [name, record] of DAMAGED) {
    it(`refuses a baseline whose attribute record is ${name} (exit 2)`, async () => {
      const tree = newTree();
      file(tree);
      ok(await vigil(['baseline', tree]));
      const db = new Database(join(tree, '.vigil', 'baseline.db'));
      db.prepare('UPDATE entries SET xattrs = ? WHERE path = ?').run(record, Buffer.from('f'));
      db.close();
      const checked = await vigil(['check', tree]);
      ok(checked, 2);
      assert.match(checked.stderr, /is damaged or not a vigil baseline/);
    });
  }

  it('a signed baseline whose stored attributes were edited to hide a setcap is refused by --verify-key', async () => {
    const tree = newTree();
    file(tree);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    writeFileSync(at('site.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(at('site.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    ok(await vigil(['baseline', '--sign-key', at('site.key'), tree]));
    tool('setcap', 'cap_setuid+ep', join(tree, 'f'));
    // The intruder records the capability as it now is and writes that record into the signed baseline.
    ok(await vigil(['baseline', '--db', at('forged.db'), tree]));
    const forged = new Database(at('forged.db'), { readonly: true });
    const record = forged.prepare('SELECT xattrs FROM entries WHERE path = ?').pluck().get(Buffer.from('f')) as Buffer;
    forged.close();
    assert.deepEqual(
      decodeXattrs(record).map((x) => x.name.toString()),
      ['security.capability'],
    );
    const db = new Database(join(tree, '.vigil', 'baseline.db'));
    db.prepare('UPDATE entries SET xattrs = ? WHERE path = ?').run(record, Buffer.from('f'));
    db.close();
    rmSync(at('forged.db'));

    const plain = await vigil(['check', tree]);
    ok(plain);
    assert.doesNotMatch(
      plain.stdout.toString(),
      /security\.capability/,
      'the edit hides the capability from a plain check',
    );
    const verified = await vigil(['check', '--verify-key', at('site.pub'), tree]);
    ok(verified, 2);
    assert.equal(verified.stdout.toString(), '');
    assert.match(verified.stderr, /does not match its signature/);
  });
});

describe('extended attribute records', () => {
  const x = (name: string, value: string) => ({ name: Buffer.from(name), value: Buffer.from(value) });

  it('sorts attributes by name into one canonical record, and decodes it back', () => {
    const listed = encodeXattrs([x('user.b', '2'), x('security.capability', '\x01\x00'), x('user.a', '')]);
    const canonical = canonicalXattrs(listed);
    assert.deepEqual(
      decodeXattrs(canonical).map((a) => [a.name.toString(), a.value.toString('latin1')]),
      [
        ['security.capability', '\x01\x00'],
        ['user.a', ''],
        ['user.b', '2'],
      ],
    );
    assert.ok(
      canonical.equals(
        canonicalXattrs(encodeXattrs([x('user.a', ''), x('user.b', '2'), x('security.capability', '\x01\x00')])),
      ),
    );
    assert.equal(canonicalXattrs(new Uint8Array(0)).length, 0);
  });

  const MALFORMED: readonly [string, Buffer][] = [
    ['a name without its end', Buffer.from('user.a')],
    ['an empty name', Buffer.from('\0\0\0\0\0')],
    ['a length cut short', Buffer.from('user.a\0\0\0')],
    ['a value past the end', Buffer.from('user.a\0\0\0\0\x05abc')],
  ];
  for (const [name, record] of MALFORMED) {
    it(`refuses a record with ${name}`, () => {
      assert.throws(() => decodeXattrs(record), /malformed extended attribute record/);
    });
  }

  it('names what changed, with the well-known attributes in words', () => {
    const before = encodeXattrs([x('security.selinux', 'a_t'), x('user.gone', '1'), x('user.same', 's')]);
    const after = encodeXattrs([
      x('security.selinux', 'b_t'),
      x('system.posix_acl_access', 'acl'),
      x('user.same', 's'),
    ]);
    assert.deepEqual(diffXattrs(before, after), [
      { name: 'security.selinux', change: 'changed', meaning: 'SELinux label' },
      { name: 'system.posix_acl_access', change: 'added', meaning: 'POSIX ACL' },
      { name: 'user.gone', change: 'removed' },
    ]);
    assert.deepEqual(diffXattrs(before, before), []);
  });
});
