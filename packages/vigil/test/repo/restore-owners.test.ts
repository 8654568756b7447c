/**
 * Owners and privileges at restore (issue 18, "faithful metadata"): as root, owners come
 * back by name where this machine has the recorded name and by number otherwise, or always
 * by number with numericOwner; devices are made. Without privileges (a child whose
 * capabilities setpriv dropped: what restore checks, not the uid), owners are left as they
 * come, silently, as restic does; a device and an attribute this process may not set are
 * notices, not failures; everything else (modes, times to the nanosecond, user.* attributes)
 * is restored all the same. Needs root, as CI runs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAccounts } from '../../src/repo/local-accounts.js';
import type { MetaNode } from '../../src/repo/metadata.js';
import { encodeNode } from '../../src/repo/metadata-codec.js';
import { OwnerNames } from '../../src/repo/owners.js';
import { EntryRestorer, type RestoreNotice } from '../../src/repo/restore-entry.js';
import { privilegesOf } from '../../src/repo/restore-privileges.js';
import { tempDir } from '../helpers.js';
import { getfattr, NOBODY, NOGROUP, openDirectory } from './meta-tree.js';

const CHILD = fileURLToPath(new URL('./restore-child.ts', import.meta.url));
/** ids no account of this machine has; the record says they were "nobody" and "nogroup" there. */
const ELSEWHERE_UID = 54_321;
const ELSEWHERE_GID = 54_322;

const FILE: MetaNode = {
  name: Buffer.from('owned'),
  type: 'file',
  mode: 0o2750,
  uid: ELSEWHERE_UID,
  gid: ELSEWHERE_GID,
  user: 'nobody',
  group: 'nogroup',
  mtimeNs: 1_700_000_000_123_456_789n,
  atimeNs: 1_700_000_000_000_000_001n,
  size: 4,
  xattrs: [],
};

async function restoreOne(node: MetaNode, numericOwner: boolean): Promise<{ uid: number; gid: number; mode: number }> {
  const work = tempDir('vigil-owners-');
  try {
    const fd = openDirectory(work.path);
    await new EntryRestorer(fd, { numericOwner }).restoreEntry(fd, node, () => {});
    closeSync(fd);
    const { uid, gid, mode } = lstatSync(join(work.path, node.name.toString()));
    return { uid, gid, mode };
  } finally {
    work.cleanup();
  }
}

describe('owners at restore, as root', () => {
  it('come back with every mode bit and nanosecond mtime when the file is made with its recorded owner', async () => {
    // root's own files: made with their permissions, so the native path skips chown and most
    // chmods; the umask (022 or 077) must not take bits away, nor a setgid directory the group.
    const work = tempDir('vigil-owners-own-');
    try {
      const inherited = join(work.path, 'setgid');
      mkdirSync(inherited);
      execFileSync('chown', [`0:${NOGROUP}`, inherited]);
      execFileSync('chmod', ['2777', inherited]);
      for (const dir of [work.path, inherited]) {
        for (const mode of [0o664, 0o4755, 0o2775, 0o000, 0o777]) {
          const node: MetaNode = { ...FILE, name: Buffer.from(`m${mode.toString(8)}`), mode, uid: 0, gid: 0 };
          const { user: _user, group: _group, ...numeric } = node;
          const fd = openDirectory(dir);
          try {
            await new EntryRestorer(fd, { numericOwner: false }).restoreEntry(fd, numeric, () => {});
          } finally {
            closeSync(fd);
          }
          const made = lstatSync(join(dir, node.name.toString()), { bigint: true });
          const where = `${node.name} in ${dir === inherited ? 'a setgid directory' : 'a plain one'}`;
          assert.deepEqual(
            { uid: made.uid, gid: made.gid, mode: made.mode & 0o7777n, mtime: made.mtimeNs },
            { uid: 0n, gid: 0n, mode: BigInt(mode), mtime: FILE.mtimeNs },
            where,
          );
        }
      }
    } finally {
      work.cleanup();
    }
  });

  it('are restored by the recorded names where this machine has them', async () => {
    assert.deepEqual(await restoreOne(FILE, false), { uid: NOBODY, gid: NOGROUP, mode: 0o102750 });
  });

  it('are restored by number with numericOwner', async () => {
    assert.deepEqual(await restoreOne(FILE, true), { uid: ELSEWHERE_UID, gid: ELSEWHERE_GID, mode: 0o102750 });
  });

  it('are restored by number when this machine has no such name', async () => {
    const node = { ...FILE, user: 'vigil-no-such-user', group: 'vigil-no-such-group' };
    assert.deepEqual(await restoreOne(node, false), { uid: ELSEWHERE_UID, gid: ELSEWHERE_GID, mode: 0o102750 });
  });

  it('are named at capture through the C library, and the /etc files say the same', () => {
    const owners = new OwnerNames();
    assert.equal(owners.userName(0), 'root');
    assert.equal(owners.userName(NOBODY), 'nobody');
    assert.equal(owners.groupName(NOGROUP), 'nogroup');
    assert.equal(owners.userName(ELSEWHERE_UID), undefined);
    assert.equal(owners.userId('nobody'), NOBODY);
    assert.equal(owners.groupId('vigil-no-such-group'), undefined);
    const passwd = parseAccounts(readFileSync('/etc/passwd', 'utf8'));
    const group = parseAccounts(readFileSync('/etc/group', 'utf8'));
    assert.equal(passwd.byId.get(NOBODY), 'nobody');
    assert.equal(passwd.byName.get('root'), 0);
    assert.equal(group.byId.get(NOGROUP), 'nogroup');
    assert.deepEqual(
      parseAccounts('# comment\nbroken\nx::notanumber:\nsecond:x:7:7\nfirst:x:7:7\n').byId,
      new Map([[7, 'second']]),
    );
  });
});

describe('privileges', () => {
  it('are read from the effective capabilities', () => {
    assert.deepEqual(privilegesOf('Name:\tnode\nCapEff:\t000001ffffffffff\n'), { chown: true, mknod: true });
    assert.deepEqual(privilegesOf('CapEff:\t0000000000000000\n'), { chown: false, mknod: false });
    assert.deepEqual(privilegesOf('CapEff:\t0000000008000000\n'), { chown: false, mknod: true });
    assert.deepEqual(privilegesOf('no such line'), { chown: false, mknod: false });
  });
});

describe('restore without privileges', () => {
  const work = tempDir('vigil-unprivileged-');
  after(() => work.cleanup());
  const target = join(work.path, 'target');
  const records = join(work.path, 'records.jsonl');
  const nodes: MetaNode[] = [
    {
      ...FILE,
      uid: NOBODY,
      gid: NOGROUP,
      mode: 0o640,
      xattrs: [
        { name: Buffer.from('user.kept'), value: Buffer.from('yes') },
        { name: Buffer.from('trusted.root-only'), value: Buffer.from('no') },
      ],
    },
    { ...FILE, name: Buffer.from('fifo'), type: 'fifo', size: 0, mode: 0o604 },
    { ...FILE, name: Buffer.from('null'), type: 'char', size: 0, mode: 0o666, device: { major: 1, minor: 3 } },
    { ...FILE, name: Buffer.from('sock'), type: 'socket', size: 0, skipped: 'a socket' },
  ];
  let notices: RestoreNotice[];

  it('runs the child without capabilities', () => {
    mkdirSync(target);
    writeFileSync(records, nodes.map((node) => `${encodeNode(node)}\n`).join(''));
    const out = execFileSync(
      'setpriv',
      ['--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', process.execPath, CHILD, target, records],
      { encoding: 'utf8' },
    );
    notices = JSON.parse(out);
  });

  it('leaves owners as they come, silently, and restores modes and times', () => {
    const owned = lstatSync(join(target, 'owned'), { bigint: true });
    assert.equal(owned.uid, BigInt(process.getuid?.() ?? 0));
    assert.equal(owned.mode & 0o7777n, 0o640n);
    assert.equal(owned.mtimeNs, FILE.mtimeNs);
    assert.ok(lstatSync(join(target, 'fifo')).isFIFO());
    assert.equal(lstatSync(join(target, 'fifo')).mode & 0o7777, 0o604);
  });

  it('restores the attributes it may set, and names the others in a notice', () => {
    assert.match(getfattr(join(target, 'owned')), /^user\.kept=0x796573$/m);
    assert.doesNotMatch(getfattr(join(target, 'owned')), /trusted/);
  });

  it('makes no device and skips the socket, each with a notice, and fails on nothing', () => {
    assert.deepEqual(readdirSync(target).sort(), ['fifo', 'owned']);
    assert.deepEqual(
      notices.map((notice) => [notice.kind, `${notice.name}`]),
      [
        ['xattr-not-restored', 'owned'],
        ['device-needs-root', 'null'],
        ['socket-skipped', 'sock'],
      ],
    );
    assert.match(notices[0]?.message ?? '', /"trusted.root-only" of "owned": EPERM/);
    assert.match(notices[1]?.message ?? '', /needs root \(CAP_MKNOD\)/);
  });
});
