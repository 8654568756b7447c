/**
 * The node:fs metadata calls (meta-calls-js.ts) keep native/meta.c's contract: -errno for a
 * failure, a TypeError for a name that is not one path component, and no call follows a
 * symlink at the name it is given (chmod above all, which node:fs would follow). Needs root
 * for chown, as CI runs.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { constants as os } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LSTAT_FIELDS } from '../../src/repo/lstat-slots.js';
import { jsMetaAddon as calls } from '../../src/repo/meta-calls-js.js';
import { tempDir } from '../helpers.js';
import { NOBODY, NOGROUP, openDirectory } from './meta-tree.js';

const { ENOENT, ELOOP, EEXIST, EOPNOTSUPP } = os.errno;
const name = (text: string) => Buffer.from(text);

/**
 * The microsecond `ns` lies in. Node 20's lutimes sets times on the microsecond; Node 22 and
 * 24 keep the double's nanoseconds, which for today's times lie within the microsecond, not on it.
 */
function microsecondOf(ns: bigint): bigint {
  return ns - (((ns % 1000n) + 1000n) % 1000n);
}

describe('the node:fs metadata calls', () => {
  const work = tempDir('vigil-meta-calls-');
  let dir: number;
  before(() => {
    writeFileSync(join(work.path, 'target'), 'x');
    chmodSync(join(work.path, 'target'), 0o600);
    symlinkSync('target', join(work.path, 'link'));
    dir = openDirectory(work.path);
  });
  after(() => {
    closeSync(dir);
    work.cleanup();
  });

  it('answer -errno, as the C calls do', () => {
    const out = new BigInt64Array(11);
    assert.equal(calls.lstatAt(dir, name('missing'), out), -ENOENT);
    assert.equal(calls.mkdirAt(dir, name('target'), 0o700), -EEXIST);
    assert.equal(calls.chmodAt(dir, name('missing'), 0o600), -ENOENT);
    assert.equal(calls.openAt(dir, name('missing'), constants.O_RDONLY, 0), -ENOENT);
  });

  it('fill the lstat slots of the entry itself, not of what a symlink names', () => {
    const out = new BigInt64Array(11);
    assert.equal(calls.lstatAt(dir, name('link'), out), 0);
    const stat = lstatSync(join(work.path, 'link'), { bigint: true });
    assert.deepEqual(
      [...out],
      LSTAT_FIELDS.map((field) => stat[field]),
    );
    assert.equal(out[0]! & 0o170000n, 0o120000n);
  });

  it('refuse a name that is not one path component with a TypeError', () => {
    for (const bad of ['', '.', '..', 'a/b', 'a\0b', 'n'.repeat(256)]) {
      assert.throws(() => calls.chmodAt(dir, name(bad), 0o777), TypeError, JSON.stringify(bad));
      assert.throws(() => calls.lstatAt(dir, name(bad), new BigInt64Array(11)), TypeError);
    }
    assert.equal(statSync(join(work.path, 'target')).mode & 0o777, 0o600);
  });

  it('never chmod through a symlink', () => {
    assert.equal(calls.chmodAt(dir, name('link'), 0o777), -ELOOP);
    assert.equal(statSync(join(work.path, 'target')).mode & 0o777, 0o600);
    assert.equal(calls.chmodAt(dir, name('target'), 0o4640), 0);
    assert.equal(statSync(join(work.path, 'target')).mode & 0o7777, 0o4640);
  });

  it('never open, chown or set times through a symlink', () => {
    assert.equal(calls.openAt(dir, name('link'), constants.O_RDONLY | constants.O_NOFOLLOW, 0), -ELOOP);
    assert.equal(calls.chownAt(dir, name('link'), NOBODY, NOGROUP), 0);
    assert.equal(lstatSync(join(work.path, 'link')).uid, NOBODY);
    assert.equal(statSync(join(work.path, 'target')).uid, 0);
    const before = statSync(join(work.path, 'target'), { bigint: true }).mtimeNs;
    assert.equal(calls.utimesAt(dir, name('link'), 5_000_000_123n, 7_000_000_456_789n), 0);
    assert.equal(microsecondOf(lstatSync(join(work.path, 'link'), { bigint: true }).mtimeNs), 7_000_000_456_000n);
    assert.equal(statSync(join(work.path, 'target'), { bigint: true }).mtimeNs, before);
  });

  it('set times cut to the microsecond, before 1970 too', () => {
    assert.equal(calls.utimesAt(dir, name('target'), -1_999_999_999n, -315_619_199_876_543_211n), 0);
    const stat = lstatSync(join(work.path, 'target'), { bigint: true });
    assert.equal(microsecondOf(stat.atimeNs), -2_000_000_000n);
    assert.equal(microsecondOf(stat.mtimeNs), -315_619_199_876_544_000n);
    assert.equal(calls.utimesAt(dir, name('target'), 999n, 1_733_231_133_123_456_789n), 0);
    const later = lstatSync(join(work.path, 'target'), { bigint: true });
    assert.equal(microsecondOf(later.atimeNs), 0n);
    assert.equal(microsecondOf(later.mtimeNs), 1_733_231_133_123_456_000n);
  });

  it('make, link, rename and remove entries in the directory they are given', () => {
    assert.equal(calls.mkdirAt(dir, name('made'), 0o750), 0);
    assert.equal(statSync(join(work.path, 'made')).mode & 0o777, 0o750);
    assert.equal(calls.symlinkAt(Buffer.from([0x2e, 0xff]), dir, name('bytes')), 0);
    assert.equal(calls.linkAt(dir, name('target'), dir, name('second')), 0);
    assert.equal(statSync(join(work.path, 'target')).nlink, 2);
    assert.equal(calls.renameAt(dir, name('second'), dir, name('third')), 0);
    assert.equal(calls.unlinkAt(dir, name('third'), 0), 0);
    assert.equal(calls.unlinkAt(dir, name('made'), 0x200), 0); // AT_REMOVEDIR
    assert.equal(calls.unlinkAt(dir, name('bytes'), 0), 0);
    assert.ok(!existsSync(join(work.path, 'made')) && !existsSync(join(work.path, 'third')));
    assert.equal(statSync(join(work.path, 'target')).nlink, 1);
  });

  it('answer EOPNOTSUPP for what node:fs cannot do, and read no extended attributes', () => {
    mkdirSync(join(work.path, 'empty'));
    assert.equal(calls.mknodAt(dir, name('fifo'), 0o010600, 0, 0), -EOPNOTSUPP);
    assert.ok(!existsSync(join(work.path, 'fifo')));
    assert.equal(calls.setXattrAt(dir, name('target'), name('user.a'), name('b')), -EOPNOTSUPP);
    assert.deepEqual(calls.xattrsAt(dir, name('target')), Buffer.alloc(0));
  });

  it('name users and groups from /etc/passwd and /etc/group', () => {
    assert.equal(calls.userName(0), 'root');
    assert.equal(calls.userName(NOBODY), 'nobody');
    assert.equal(calls.groupName(NOGROUP), 'nogroup');
    assert.equal(calls.userId('nobody'), NOBODY);
    assert.equal(calls.groupId('nogroup'), NOGROUP);
    assert.equal(calls.userName(54_321), null);
    assert.equal(calls.groupId('vigil-no-such-group'), null);
  });
});
