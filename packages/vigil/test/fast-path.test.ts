/** The fast-path decision (git's index rule with its racy-timestamp check), table-driven. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideFastPath, type Fingerprint, RACY_WINDOW_NS } from '../src/baseline/fast-path.js';

const RECORDED = 1_700_000_000_000_000_000n;
const OLD = RECORDED - 3_600_000_000_000n; // an hour before recording
const stored: Fingerprint = { size: 10n, mtimeNs: OLD, ctimeNs: OLD, ino: 42n };

describe('fast path', () => {
  const cases: [string, Partial<Fingerprint>, Partial<Fingerprint> | undefined, string][] = [
    ['identical stat is trusted', {}, {}, 'trusted'],
    ['not recorded before', {}, undefined, 'new'],
    ['size differs', { size: 11n }, {}, 'size'],
    ['mtime differs by a nanosecond', { mtimeNs: OLD + 1n }, {}, 'mtime'],
    ['ctime differs (chmod, rename over)', { ctimeNs: OLD + 5n }, {}, 'ctime'],
    ['inode differs (replaced by a copy)', { ino: 43n }, {}, 'inode'],
    ['mtime just inside the racy window', {}, { mtimeNs: RECORDED - RACY_WINDOW_NS }, 'racy'],
    ['mtime just outside the racy window', {}, { mtimeNs: RECORDED - RACY_WINDOW_NS - 1n }, 'trusted'],
    ['mtime after the recording began', {}, { mtimeNs: RECORDED + 10n }, 'racy'],
  ];
  for (const [name, now, was, expected] of cases) {
    it(name, () => {
      const before = was === undefined ? undefined : { ...stored, ...was };
      const current = { ...stored, ...was, ...now };
      const decision = decideFastPath({ current, stored: before, storedHashed: true, recordedAtNs: RECORDED });
      assert.equal(decision.trusted ? 'trusted' : decision.reason, expected);
    });
  }

  it('trusts nothing under --full, nor an entry recorded without a hash', () => {
    const full = decideFastPath({ current: stored, stored, storedHashed: true, recordedAtNs: RECORDED, full: true });
    assert.deepEqual(full, { trusted: false, reason: 'full' });
    const unhashed = decideFastPath({ current: stored, stored, storedHashed: false, recordedAtNs: RECORDED });
    assert.deepEqual(unhashed, { trusted: false, reason: 'unhashed' });
  });
});
