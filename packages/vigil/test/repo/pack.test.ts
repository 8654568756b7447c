/**
 * Pack files (src/repo/pack-*.ts): written under tmp/ then renamed to data/XX/<SHA-256>,
 * read back entry for entry; and every kind of damage a pack can have (a hand-made header
 * through the identity sealer, a flipped byte through an authenticating one) is refused
 * with a PackDamagedError before anything is read outside the pack.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import {
  encodePackHeader,
  MAX_BLOB_RAW_BYTES,
  PackDamagedError,
  type PackEntry,
  type Sealer,
} from '../../src/repo/pack-header.js';
import { checkPack, PackReader, packMatchesId, readPackEntries } from '../../src/repo/pack-reader.js';
import { type BlobToPack, PackWriter, packName, publishPacks, type WrittenPack } from '../../src/repo/pack-writer.js';
import { LocalStorage } from '../../src/storage/local-storage.js';
import { suiteDir } from '../helpers.js';
import { assertThrowsDamaged } from './assert-damaged.js';
import { randomBytesFrom } from './random-bytes.js';
import { identitySealer, macSealer, TamperedError } from './sealers.js';

function blob(i: number, size: number): BlobToPack {
  const payload = randomBytesFrom(`blob ${i}`, size);
  return {
    kind: i % 5 === 0 ? 'tree' : 'data',
    id: createHash('sha256').update(payload).digest(),
    payload,
    rawLength: size,
    compressed: false,
  };
}

/** A pack file of `blobs` then `header` (already sealed) and its length, as the writer lays it out. */
function craftPack(path: string, blobs: Buffer, header: Buffer, trailerLength = header.length): void {
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32LE(trailerLength);
  writeFileSync(path, Buffer.concat([blobs, header, trailer]));
}

function entry(over: Partial<PackEntry> = {}): PackEntry {
  return {
    kind: 'data',
    id: Buffer.alloc(32, 1),
    offset: 0,
    sealedLength: 10,
    rawLength: 10,
    compressed: false,
    ...over,
  };
}

function assertDamaged(fn: () => unknown, reason: RegExp): Promise<void> {
  return assertThrowsDamaged(fn, PackDamagedError, 'ERR_VIGIL_PACK_DAMAGED', reason);
}

/** A pack in a repository folder of its own, at data/XX/<id>, for crafted bytes. */
function craftedPackPath(root: string): { storage: LocalStorage; id: string; path: string } {
  const id = 'ab'.repeat(32);
  const path = join(root, packName(id));
  mkdirSync(dirname(path), { recursive: true });
  return { storage: new LocalStorage(root), id, path };
}

describe('pack files', () => {
  const at = suiteDir('vigil-pack-');

  type PackAt = WrittenPack & { path: string };
  async function writeBlobs(
    repo: string,
    sealer: Sealer,
    count: number,
  ): Promise<{ packs: PackAt[]; blobs: BlobToPack[] }> {
    const writer = new PackWriter(join(repo, 'tmp'), sealer, { targetBytes: 256 * 1024 });
    const staged = [];
    const blobs: BlobToPack[] = [];
    for (let i = 0; i < count; i++) {
      const b = blob(i, 1000 + ((i * 7919) % 60_000));
      blobs.push(b);
      const done = writer.add(b);
      if (done) staged.push(done);
    }
    const last = writer.flush();
    if (last) staged.push(last);
    const packs = (await publishPacks(new LocalStorage(repo), staged)).map((p) => ({
      ...p,
      path: join(repo, packName(p.id)),
    }));
    return { packs, blobs };
  }

  it('writes blobs into packs named by their SHA-256, and reads every blob back', async () => {
    const repo = at('repo');
    const sealer = macSealer();
    const { packs, blobs } = await writeBlobs(repo, sealer, 60);
    assert.ok(packs.length >= 4, `${packs.length} packs`);
    assert.deepEqual(readdirSync(join(repo, 'tmp')), []);
    let n = 0;
    for (const pack of packs) {
      assert.match(pack.path, /data\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
      assert.equal(statSync(pack.path).size, pack.size);
      assert.equal(createHash('sha256').update(readFileSync(pack.path)).digest('hex'), pack.id);
      assert.ok(await packMatchesId(new LocalStorage(repo), pack.id));
      const entries = await readPackEntries(new LocalStorage(repo), pack.id, sealer);
      assert.deepEqual(entries, pack.entries);
      const reader = await PackReader.open(new LocalStorage(repo), pack.id);
      try {
        for (const e of entries) {
          const expected = blobs[n++]!;
          assert.ok(e.id.equals(expected.id));
          assert.equal(e.kind, expected.kind);
          assert.ok((await reader.readBlob(sealer, e)).equals(expected.payload));
        }
      } finally {
        await reader.close();
      }
    }
    assert.equal(n, blobs.length);
  });

  it('writes nothing on a flush with no blob, and leaves nothing after abort', async () => {
    const repo = at('empty');
    const writer = new PackWriter(join(repo, 'tmp'), identitySealer);
    assert.equal(writer.flush(), undefined);
    writer.add(blob(1, 100));
    writer.abort();
    assert.deepEqual(readdirSync(join(repo, 'tmp')), []);
    assert.equal(writer.flush(), undefined);
  });

  it('drops the pack being written when sealing or writing fails, and goes on with a new one', async () => {
    const repo = at('failing');
    let seals = 0;
    const failing: Sealer = {
      seal: (plain, kind) => {
        if (++seals === 3) throw new Error('sealer failed');
        return identitySealer.seal(plain, kind);
      },
      open: identitySealer.open,
    };
    const writer = new PackWriter(join(repo, 'tmp'), failing);
    writer.add(blob(1, 100));
    writer.add(blob(2, 100));
    assert.throws(() => writer.add(blob(3, 100)), /sealer failed/);
    assert.deepEqual(readdirSync(join(repo, 'tmp')), []);
    writer.add(blob(4, 100));
    const [pack] = await publishPacks(new LocalStorage(repo), [writer.flush()!]);
    assert.deepEqual(
      (await readPackEntries(new LocalStorage(repo), pack!.id, identitySealer)).map((e) => e.id),
      [blob(4, 100).id],
    );
  });

  it('checks a pack as verify does: each finding named, the other blobs still counted', async () => {
    const repo = at('check');
    const sealer = macSealer();
    const { packs } = await writeBlobs(repo, sealer, 4);
    const pack = packs[0]!;
    const run = async (s?: Sealer) => {
      const findings = [];
      const it = checkPack(new LocalStorage(repo), pack.id, s);
      for (let step = await it.next(); ; step = await it.next()) {
        if (step.done) return { findings, good: step.value };
        findings.push(step.value);
      }
    };
    assert.deepEqual(await run(sealer), { findings: [], good: 4 });
    const bytes = readFileSync(pack.path);
    bytes[pack.entries[1]!.offset]! ^= 1;
    writeFileSync(pack.path, bytes);
    const { findings, good } = await run(sealer);
    assert.equal(good, 3);
    assert.deepEqual(
      findings.map((f) => f.kind),
      ['pack-id-mismatch', 'blob-damaged'],
    );
    assert.equal((findings[1] as { blobId: string }).blobId, pack.entries[1]!.id.toString('hex'));
    // Without keys, only the hash can be checked.
    assert.deepEqual(
      (await run()).findings.map((f) => f.kind),
      ['pack-id-mismatch'],
    );
    writeFileSync(pack.path, bytes.subarray(0, bytes.length - 1));
    assert.deepEqual(
      (await run(sealer)).findings.map((f) => f.kind),
      ['pack-id-mismatch', 'pack-damaged'],
    );
  });

  it('refuses a pack whose bytes no longer hash to its name', async () => {
    const repo = at('renamed');
    const { packs } = await writeBlobs(repo, identitySealer, 3);
    const pack = packs[0]!;
    const bytes = readFileSync(pack.path);
    bytes[0]! ^= 1;
    writeFileSync(pack.path, bytes);
    assert.equal(await packMatchesId(new LocalStorage(repo), pack.id), false);
  });

  it('reads neighbouring blobs through one span read, in any order, and still refuses a tampered one', async () => {
    const repo = at('span');
    const sealer = macSealer();
    const { packs, blobs } = await writeBlobs(repo, sealer, 12);
    const pack = packs[0]!;
    const local = new LocalStorage(repo);
    let reads = 0;
    // Counts the range reads the pack reader makes (the trailer's and the header's included).
    const counting = Object.create(local, {
      openReader: {
        value: async (name: string) => {
          const file = await local.openReader(name);
          const read = (offset: number, length: number) => {
            reads++;
            return file.read(offset, length);
          };
          return { size: file.size, read, close: () => file.close() };
        },
      },
    }) as LocalStorage;
    const span = 128 * 1024;
    const reader = await PackReader.open(counting, pack.id, span);
    const entries = await reader.entries(sealer);
    assert.ok(entries.length >= 3, `${entries.length} blobs in the pack`);
    const expected = (e: PackEntry) => blobs.find((b) => b.id.equals(e.id))!.payload;
    try {
      reads = 0;
      for (const e of entries) assert.ok((await reader.readBlob(sealer, e)).equals(expected(e)));
      const perSpan = Math.floor(span / 61_000);
      assert.ok(reads < entries.length, `${reads} reads for ${entries.length} blobs`);
      assert.ok(reads <= Math.ceil(entries.length / perSpan), `${reads} reads for ${entries.length} blobs`);
      for (const e of [...entries].reverse()) assert.ok((await reader.readBlob(sealer, e)).equals(expected(e)));
    } finally {
      await reader.close();
    }
    const bytes = readFileSync(pack.path);
    const second = entries[1]!;
    bytes[second.offset + 20]! ^= 1;
    writeFileSync(pack.path, bytes);
    const again = await PackReader.open(local, pack.id, span);
    try {
      assert.ok((await again.readBlob(sealer, entries[0]!)).equals(expected(entries[0]!)));
      await assert.rejects(
        () => again.readBlob(sealer, second),
        (e: Error) => e.cause instanceof TamperedError,
      );
    } finally {
      await again.close();
    }
  });

  it('refuses a tampered header or blob when the sealer authenticates', async () => {
    const repo = at('tampered');
    const sealer = macSealer();
    const { packs } = await writeBlobs(repo, sealer, 5);
    const pack = packs[0]!;
    const bytes = readFileSync(pack.path);
    const headerByte = bytes.length - 10;
    bytes[headerByte]! ^= 0x40;
    writeFileSync(pack.path, bytes);
    await assertDamaged(
      () => readPackEntries(new LocalStorage(repo), pack.id, sealer),
      /a pack-header blob does not open \(bad MAC\)/,
    );
    bytes[headerByte]! ^= 0x40;
    bytes[3]! ^= 1;
    writeFileSync(pack.path, bytes);
    const reader = await PackReader.open(new LocalStorage(repo), pack.id);
    try {
      const [first, second] = await reader.entries(sealer);
      await assert.rejects(
        () => reader.readBlob(sealer, first!),
        (e: Error) => e.cause instanceof TamperedError,
      );
      // A blob of one kind cannot pass for another.
      await assertDamaged(
        () => reader.readBlob(sealer, { ...second!, kind: second!.kind === 'data' ? 'tree' : 'data' }),
        /does not open/,
      );
      assert.equal((await reader.readBlob(sealer, second!)).length, second!.rawLength);
    } finally {
      await reader.close();
    }
  });

  describe('refuses damaged packs before reading outside them', () => {
    const blobs = Buffer.alloc(100, 9);
    const cases: Array<[string, () => Buffer, RegExp, number?]> = [
      [
        'a header length past the start of the file',
        () => encodePackHeader([entry()]),
        /a header of 1000000 bytes/,
        1_000_000,
      ],
      ['a header length of zero', () => encodePackHeader([]), /a header of 0 bytes/, 0],
      ['no magic', () => Buffer.from('not a header at all'), /no pack header/],
      [
        'another version',
        () => {
          const h = encodePackHeader([entry()]);
          h[4] = 9;
          return h;
        },
        /header version 9/,
      ],
      [
        'an entry count that does not match the header (a huge one)',
        () => {
          const h = encodePackHeader([entry()]);
          h.writeUInt32LE(0xffffffff, 8);
          return h;
        },
        /says 4294967295 entries but holds 60 bytes/,
      ],
      [
        'an entry that runs into the header',
        () => encodePackHeader([entry({ offset: 95, sealedLength: 10 })]),
        /entry 0 runs past the blobs/,
      ],
      [
        'an entry far past the end of the file',
        () => encodePackHeader([entry({ offset: 0xfffffff0 })]),
        /entry 0 runs past/,
      ],
      [
        'overlapping entries',
        () => encodePackHeader([entry({ sealedLength: 50 }), entry({ offset: 40 })]),
        /entry 1 overlaps/,
      ],
      [
        'an unknown kind',
        () => {
          const h = encodePackHeader([entry()]);
          h[12] = 7;
          return h;
        },
        /entry 0: unknown blob kind 7/,
      ],
      [
        'unknown flags',
        () => {
          const h = encodePackHeader([entry()]);
          h[13] = 0x80;
          return h;
        },
        /entry 0: unknown flags/,
      ],
      ['an entry of length 0', () => encodePackHeader([entry({ sealedLength: 0 })]), /length 0/],
      [
        'a raw length above the limit',
        () => encodePackHeader([entry({ rawLength: MAX_BLOB_RAW_BYTES + 1 })]),
        /above the limit/,
      ],
    ];
    for (const [name, header, reason, trailer] of cases) {
      it(name, async () => {
        const { storage, id, path } = craftedPackPath(at(`crafted-${name.replace(/\W+/g, '-')}`));
        const h = header();
        craftPack(path, blobs, h, trailer ?? h.length);
        await assertDamaged(() => readPackEntries(storage, id, identitySealer), reason);
      });
    }

    it('a file too short to be a pack', async () => {
      const { storage, id, path } = craftedPackPath(at('short'));
      writeFileSync(path, Buffer.from([1, 0, 0]));
      await assertDamaged(() => PackReader.open(storage, id), /only 3 bytes/);
    });

    it('an index entry that points outside the blobs, or whose length does not match', async () => {
      const { storage, id, path } = craftedPackPath(at('index-entry'));
      craftPack(path, blobs, encodePackHeader([entry()]));
      const reader = await PackReader.open(storage, id);
      try {
        await assertDamaged(
          () => reader.readBlob(identitySealer, entry({ offset: 95 })),
          /runs past the blobs \(100\)/,
        );
        await assertDamaged(() => reader.readBlob(identitySealer, entry({ offset: 2 ** 40 })), /runs past the blobs/);
        await assertDamaged(() => reader.readBlob(identitySealer, entry({ offset: -1 })), /no range/);
        await assertDamaged(
          () => reader.readBlob(identitySealer, entry({ rawLength: 11 })),
          /10 bytes where its entry says 11/,
        );
        assert.ok((await reader.readBlob(identitySealer, entry())).equals(Buffer.alloc(10, 9)));
      } finally {
        await reader.close();
      }
    });
  });
});
