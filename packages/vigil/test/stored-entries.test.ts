/**
 * A batch's entries cross from a backup worker in columns (src/backup/stored-entries.ts):
 * every entry comes back as it went, whatever its type, text (two-byte characters included),
 * figures, link identity, skip reason or failure, and in its place.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredEntry } from '../src/backup/protocol.js';
import { decodeStoredEntries, encodeStoredEntries } from '../src/backup/stored-entries.js';

const file = (members: string, extra: Partial<StoredEntry & { ok: true }> = {}): StoredEntry => ({
  ok: true,
  record: { type: 'file', members, content: ',"content":[]', stamp: ',"ctime":[1,2],"inode":"3"' },
  size: 1.5 * 2 ** 40,
  dataBytes: 2 ** 40,
  newBytes: 7,
  storedBytes: 5,
  newBlobs: 1,
  ...extra,
});

describe('stored entries in columns', () => {
  it('come back as they went, in their places', () => {
    const entries: StoredEntry[] = [
      file('"name":"YQ==","type":"file","user":"jürgen 🦀"'),
      { ok: false, message: 'permission denied (EACCES)', vanished: false },
      {
        ok: true,
        record: { type: 'dir', members: '"name":"ZA==","type":"dir"', content: '', stamp: '' },
        size: 0,
        dataBytes: 0,
        newBytes: 0,
        storedBytes: 0,
        newBlobs: 0,
      },
      { ok: false, message: 'gone', vanished: true },
      file('"name":"bA==","type":"file"', {
        record: { type: 'file', members: '"name":"bA=="', content: ',"content":[]', stamp: '', link: '2049:77' },
      }),
      {
        ok: true,
        record: { type: 'socket', members: '"name":"cw==","type":"socket"', content: '', stamp: '' },
        size: 0,
        dataBytes: 0,
        newBytes: 0,
        storedBytes: 0,
        newBlobs: 0,
        skipped: 'a socket is not backed up',
      },
      file(''),
    ];
    const wire = encodeStoredEntries(entries);
    assert.equal(wire.extras.length, 4);
    assert.deepEqual(decodeStoredEntries(structuredClone(wire)), entries);
  });

  it('a batch of nothing is nothing', () => {
    assert.deepEqual(decodeStoredEntries(encodeStoredEntries([])), []);
  });

  it('refuses a type no entry has', () => {
    const wire = encodeStoredEntries([file('"name":"YQ=="')]);
    wire.types[0] = 9;
    assert.throws(() => decodeStoredEntries(wire), /entry type 9/);
  });
});
