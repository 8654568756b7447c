/**
 * Snapshot files (docs/format-v2-trees.md, "Snapshot files"): a snapshot reads back as
 * written, its file id is the SHA-256 of the sealed bytes, and every check a reader makes
 * refuses what it should, naming the file and the field.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeSnapshot,
  encodeSnapshot,
  type Snapshot,
  SnapshotDamagedError,
  snapshotFileId,
  snapshotTime,
} from '../../src/repo/snapshot-file.js';

const FULL: Snapshot = {
  version: 1,
  time: '2024-12-03T13:05:33.123Z',
  timeNs: 1_733_231_133_123_456_789n,
  host: 'büro-pc',
  user: 'ana',
  sources: ['/home/ana', '/etc', '/'],
  tags: ['daily', 'ümlaut tag'],
  tree: Buffer.alloc(32, 0xab),
  parent: 'cd'.repeat(32),
  stats: {
    files: 10,
    dirs: 2,
    symlinks: 1,
    others: 3,
    totalBytes: 2 ** 53 - 1,
    newBytes: 100,
    newBlobs: 4,
    storedBytes: 90,
  },
  incomplete: true,
  unreadableCount: 250,
  unreadable: ['/home/ana/secret', 'not/utf8/\ufffd'],
};

const MINIMAL: Snapshot = {
  version: 1,
  time: '1969-12-31T23:59:59.999Z',
  timeNs: -1n,
  host: '',
  sources: ['/'],
  tags: [],
  tree: Buffer.alloc(32),
  stats: { files: 0, dirs: 0, symlinks: 0, others: 0, totalBytes: 0, newBytes: 0, newBlobs: 0, storedBytes: 0 },
  incomplete: false,
  unreadableCount: 0,
  unreadable: [],
};

describe('snapshot files: the round trip', () => {
  it('reads back every field as written, with and without the optional ones', () => {
    assert.deepEqual(decodeSnapshot(encodeSnapshot(FULL), 'full'), FULL);
    assert.deepEqual(decodeSnapshot(encodeSnapshot(MINIMAL), 'minimal'), MINIMAL);
  });

  it('writes the time of timeNs to the millisecond, rounding down also before 1970', () => {
    assert.equal(snapshotTime(FULL.timeNs), FULL.time);
    assert.equal(snapshotTime(-1n), MINIMAL.time);
    assert.equal(snapshotTime(-1_000_000n), MINIMAL.time);
    assert.equal(snapshotTime(0n), '1970-01-01T00:00:00.000Z');
  });

  it('stores timeNs as a decimal string and the tree as hex', () => {
    const stored = JSON.parse(encodeSnapshot(FULL).toString('utf8'));
    assert.equal(stored.timeNs, '1733231133123456789');
    assert.equal(stored.tree, 'ab'.repeat(32));
  });

  it('accepts the same instant written with an offset, and ignores keys it does not know', () => {
    const stored = JSON.parse(encodeSnapshot(FULL).toString('utf8'));
    stored.time = '2024-12-03T15:05:33.123+02:00';
    stored.future = { anything: 1 };
    stored.stats.future = 2;
    assert.deepEqual(decodeSnapshot(Buffer.from(JSON.stringify(stored)), 's'), { ...FULL, time: stored.time });
  });

  it('names a file by the SHA-256 of its sealed bytes', () => {
    assert.equal(
      snapshotFileId(Buffer.from('abc')),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('refuses to encode a snapshot no reader would accept', () => {
    assert.throws(() => encodeSnapshot({ ...FULL, tags: ['a,b'] }), /RangeError: not a valid snapshot: .*"tags\[0\]"/);
    assert.throws(() => encodeSnapshot({ ...FULL, time: '2024-12-03T13:05:33.124Z' }), RangeError);
    assert.throws(() => encodeSnapshot({ ...FULL, tree: Buffer.alloc(31) }), RangeError);
  });
});

type Stored = Record<string, unknown> & { stats: Record<string, unknown> };
const stored = (): Stored => JSON.parse(encodeSnapshot(FULL).toString('utf8'));
const many = (n: number, value: unknown) => Array.from({ length: n }, () => value);

/** Each check: the field, how to break it, and the words that must say so. */
const BROKEN: [string, (s: Stored) => void, RegExp][] = [
  ['version', (s) => (s.version = 2), /is 2, newer than this vigil reads \(1\): upgrade vigil/],
  ['version', (s) => (s.version = '1'), /"version" is not 1/],
  ['version', (s) => delete s.version, /"version" is not 1/],
  ['timeNs', (s) => (s.timeNs = 1_733_231_133_123), /"timeNs" is not a decimal string/],
  ['timeNs', (s) => (s.timeNs = '01733231133123456789'), /"timeNs" is not a decimal string/],
  ['timeNs', (s) => (s.timeNs = (2n ** 63n).toString()), /"timeNs" is out of range/],
  ['time', (s) => (s.time = 'yesterday'), /"time" "yesterday" is not the ISO 8601 time of "timeNs"/],
  [
    'time',
    (s) => (s.time = '2024-12-03T13:05:33.124Z'),
    /is not the ISO 8601 time of "timeNs" \(2024-12-03T13:05:33.123Z\)/,
  ],
  ['time', (s) => (s.time = '2024-12-03'), /"time" "2024-12-03" is not the ISO 8601 time/],
  ['host', (s) => (s.host = 'h'.repeat(1025)), /"host" is not a string of at most 1024 characters/],
  ['host', (s) => (s.host = 5), /"host" is not a string/],
  ['user', (s) => (s.user = 'u'.repeat(1025)), /"user" is not a string of at most 1024/],
  ['sources', (s) => (s.sources = []), /"sources" is not a list of 1 to 4096 entries/],
  ['sources', (s) => (s.sources = many(4097, '/a')), /"sources" is not a list of 1 to 4096/],
  ['sources[1]', (s) => ((s.sources as string[])[1] = 'home/ana'), /"home\/ana" is not a clean absolute path/],
  ['sources[0]', (s) => ((s.sources as string[])[0] = '/home//ana'), /is not a clean absolute path/],
  ['sources[0]', (s) => ((s.sources as string[])[0] = '/home/./ana'), /is not a clean absolute path/],
  ['sources[0]', (s) => ((s.sources as string[])[0] = '/home/../etc'), /is not a clean absolute path/],
  ['sources[0]', (s) => ((s.sources as string[])[0] = '/home/'), /is not a clean absolute path/],
  ['sources[0]', (s) => ((s.sources as string[])[0] = '/home\0'), /is not a clean absolute path/],
  ['sources[0]', (s) => ((s.sources as string[])[0] = `/${'x'.repeat(4095)}`), /is not a path of at most 4095 bytes/],
  ['tags[0]', (s) => ((s.tags as string[])[0] = ''), /"tags\[0\]" is not a tag \(1 to 256 characters, no comma\)/],
  ['tags[0]', (s) => ((s.tags as string[])[0] = 't'.repeat(257)), /"tags\[0\]" is not a tag/],
  ['tags[1]', (s) => ((s.tags as string[])[1] = 'a,b'), /"tags\[1\]" is not a tag/],
  ['tags[0]', (s) => ((s.tags as unknown[])[0] = 7), /"tags\[0\]" is not a tag/],
  ['tags', (s) => (s.tags = many(257, 'x')), /"tags" is not a list of 0 to 256 entries/],
  ['tree', (s) => (s.tree = 'AB'.repeat(32)), /"tree" is not a tree id \(64 lowercase hex digits\)/],
  ['tree', (s) => delete s.tree, /"tree" is not a tree id/],
  ['parent', (s) => (s.parent = 'cd'.repeat(31)), /"parent" is not a snapshot id/],
  ['stats', (s) => (s.stats = [] as never), /"stats" is not an object/],
  ['stats.others', (s) => delete s.stats.others, /"stats.others" is not an integer from 0/],
  ['stats.newBytes', (s) => (s.stats.newBytes = -1), /"stats.newBytes" is not an integer from 0/],
  ['stats.files', (s) => (s.stats.files = 1.5), /"stats.files" is not an integer from 0/],
  ['stats.totalBytes', (s) => (s.stats.totalBytes = 2 ** 53), /"stats.totalBytes" is not an integer/],
  ['incomplete', (s) => (s.incomplete = 'yes'), /"incomplete" is not true or false/],
  ['unreadableCount', (s) => (s.unreadableCount = 1), /"unreadableCount" is less than the 2 paths listed/],
  ['unreadable', (s) => (s.unreadable = many(101, '/x')), /"unreadable" is not a list of 0 to 100 entries/],
  ['unreadable[1]', (s) => ((s.unreadable as unknown[])[1] = null), /"unreadable\[1\]" is not a string/],
];

function assertRefused(plain: Buffer, field: string, reason: RegExp): void {
  assert.throws(
    () => decodeSnapshot(plain, 'snapshots/0123'),
    (error: unknown) => {
      assert.ok(error instanceof SnapshotDamagedError, `a SnapshotDamagedError, not ${error}`);
      assert.equal(error.code, 'ERR_VIGIL_SNAPSHOT_DAMAGED');
      assert.equal(error.field, field);
      assert.match(error.message, /^cannot read the snapshot snapshots\/0123: /);
      assert.match(error.message, reason);
      return true;
    },
  );
}

describe('snapshot files: the checks a reader makes', () => {
  for (const [field, breakIt, reason] of BROKEN) {
    it(`refuses a bad "${field}": ${reason.source}`, () => {
      const s = stored();
      breakIt(s);
      assertRefused(Buffer.from(JSON.stringify(s)), field, reason);
    });
  }

  const whole: [string, Buffer, RegExp][] = [
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), /is not UTF-8; the file is damaged/],
    ['text that is not JSON', Buffer.from('{"version":1'), /is not JSON \(/],
    ['JSON that is not an object', Buffer.from('[1]'), /is not a JSON object/],
    [
      'a file above 16 MiB',
      Buffer.from(JSON.stringify({ ...stored(), pad: 'x'.repeat(16 * 1024 * 1024) })),
      /is 16777\d+ bytes, above the limit of 16777216/,
    ],
  ];
  for (const [check, plain, reason] of whole) {
    it(`refuses ${check}`, () => assertRefused(plain, '', reason));
  }

  it('says a damaged file is damaged, and a newer one is not', () => {
    const damaged = stored();
    damaged.tree = 'x';
    const newer = stored();
    newer.version = 2;
    assertRefused(Buffer.from(JSON.stringify(damaged)), 'tree', /damaged or was tampered with/);
    assert.throws(
      () => decodeSnapshot(Buffer.from(JSON.stringify(newer)), 's'),
      (error: Error) => {
        assert.doesNotMatch(error.message, /damaged/);
        return true;
      },
    );
  });
});
