/**
 * The index (src/repo/index-*.ts): the packed in-memory table finds every blob among many,
 * index files round-trip and refuse every kind of damage with IndexDamagedError, several
 * files merge (a damaged one costs only its own blobs), the index can be rebuilt from pack
 * headers, and compaction turns many files into one.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import {
  encodeIndex,
  IndexDamagedError,
  type IndexedPack,
  indexName,
  readIndexFile,
  writeIndexFile,
} from '../../src/repo/index-file.js';
import { compactIndex, indexFileIds, loadIndex, missingPacks, rebuildIndex } from '../../src/repo/index-load.js';
import { BlobIndex, KnownBlobIds } from '../../src/repo/index-table.js';
import { PackDamagedError, type PackEntry } from '../../src/repo/pack-header.js';
import { PackWriter, packName, publishPacks } from '../../src/repo/pack-writer.js';
import { LocalStorage } from '../../src/storage/local-storage.js';
import { suiteDir } from '../helpers.js';
import { assertThrowsDamaged } from './assert-damaged.js';
import { randomBytesFrom } from './random-bytes.js';
import { identitySealer, macSealer } from './sealers.js';

const sealer = macSealer();

function packId(label: string): string {
  return createHash('sha256').update(label).digest('hex');
}

function entries(label: string, count: number): PackEntry[] {
  const ids = randomBytesFrom(label, count * 32);
  return Array.from({ length: count }, (_, i) => ({
    kind: i % 3 === 0 ? 'tree' : 'data',
    id: Buffer.from(ids.subarray(i * 32, i * 32 + 32)),
    offset: i * 1000,
    sealedLength: 900 + (i % 100),
    rawLength: 2000 + i,
    compressed: i % 2 === 0,
  }));
}

function assertDamaged(fn: () => unknown, reason: RegExp): Promise<void> {
  return assertThrowsDamaged(fn, IndexDamagedError, 'ERR_VIGIL_INDEX_DAMAGED', reason);
}

describe('blob index in memory', () => {
  it('finds each of 50,000 blobs in 50 packs, and nothing else', async () => {
    const index = new BlobIndex();
    const packs = Array.from({ length: 50 }, (_, p) => ({
      id: packId(`pack ${p}`),
      entries: entries(`pack ${p}`, 1000),
    }));
    for (const pack of packs) assert.equal(index.addPack(pack.id, pack.entries), 1000);
    assert.equal(index.size, 50_000);
    assert.equal(index.packCount, 50);
    for (const pack of packs) {
      for (const e of pack.entries) assert.deepEqual(index.find(e.id), { ...e, packId: pack.id });
    }
    for (let i = 0; i < 1000; i++) assert.equal(index.has(randomBytes(32)), false);
    assert.equal(index.find(Buffer.alloc(31)), undefined);
    assert.deepEqual(index.packs(), packs);
    // The columns, not objects: well under 100 bytes a blob.
    assert.ok(index.memoryBytes / index.size < 100, `${index.memoryBytes / index.size} bytes a blob`);
  });

  it('keeps the first place of a blob listed twice, and lists no pack whose blobs were all known', () => {
    const index = new BlobIndex();
    const first = entries('first', 10);
    assert.equal(index.addPack(packId('a'), first), 10);
    assert.equal(index.addPack(packId('b'), first.slice(0, 4)), 0);
    assert.equal(index.add(packId('c'), first[5]!), false);
    assert.deepEqual(index.packIds(), [packId('a')]);
    const mixed = [...first.slice(8), ...entries('mixed', 2)];
    assert.equal(index.addPack(packId('d'), mixed), 2);
    assert.deepEqual(index.packIds(), [packId('a'), packId('d')]);
    assert.equal(index.find(first[9]!.id)?.packId, packId('a'));
  });

  it("lists a pack's entries in the order of their offsets, however they came", async () => {
    const index = new BlobIndex();
    const all = entries('reversed', 5);
    index.addPack(packId('r'), [...all].reverse());
    assert.deepEqual(index.packs(), [{ id: packId('r'), entries: all }]);
  });

  it('keeps the first place of a blob found in two packs', async () => {
    const index = new BlobIndex();
    const [e] = entries('dup', 1);
    assert.equal(index.add(packId('a'), e!), true);
    assert.equal(index.add(packId('b'), { ...e!, offset: 5 }), false);
    assert.equal(index.size, 1);
    assert.equal(index.find(e!.id)?.packId, packId('a'));
  });
});

describe("an index's blob ids shared with workers", () => {
  const packs = Array.from({ length: 4 }, (_, p) => ({
    id: packId(`shared ${p}`),
    entries: entries(`shared ${p}`, 3000),
  }));

  it('answers as the index does, for every id it holds and for ids it does not', () => {
    const index = new BlobIndex();
    for (const pack of packs.slice(0, 3)) index.addPack(pack.id, pack.entries);
    const known = new KnownBlobIds(index.shareIds());
    for (const pack of packs.slice(0, 3)) for (const e of pack.entries) assert.equal(known.has(e.id), true);
    for (const e of (packs[3] as IndexedPack).entries) assert.equal(known.has(e.id), false);
    assert.equal(known.has(Buffer.alloc(31)), false);
  });

  it('never changes once shared: blobs added later are in the index, not in the view handed out', () => {
    const index = new BlobIndex();
    index.addPack((packs[0] as IndexedPack).id, (packs[0] as IndexedPack).entries);
    const shared = index.shareIds();
    const before = Buffer.from(new Uint8Array(shared.slots));
    // Enough to rehash the table, and single adds that would probe into the shared slots.
    index.addPack((packs[1] as IndexedPack).id, (packs[1] as IndexedPack).entries);
    for (const e of (packs[2] as IndexedPack).entries.slice(0, 10)) index.add((packs[2] as IndexedPack).id, e);
    assert.deepEqual(Buffer.from(new Uint8Array(shared.slots)), before);
    const known = new KnownBlobIds(shared);
    assert.equal(known.has((packs[0] as IndexedPack).entries[5]!.id), true);
    assert.equal(known.has((packs[1] as IndexedPack).entries[5]!.id), false);
    assert.equal(index.has((packs[1] as IndexedPack).entries[5]!.id), true);
    assert.equal(new KnownBlobIds(index.shareIds()).has((packs[2] as IndexedPack).entries[9]!.id), true);
  });

  it('crosses to a worker thread as shared memory, and is read there', async () => {
    const index = new BlobIndex();
    index.addPack((packs[0] as IndexedPack).id, (packs[0] as IndexedPack).entries);
    const shared = index.shareIds();
    // The worker zeroes the table it was sent: seen here, the memory is one, not a copy.
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      new Uint32Array(workerData.slots).fill(0);
      parentPort.postMessage('done');`;
    const worker = new Worker(source, { eval: true, workerData: shared });
    // Listened for from the start: the worker may exit in the same turn as its message arrives.
    const exited = once(worker, 'exit');
    const [message] = await once(worker, 'message');
    assert.equal(message, 'done');
    await exited;
    assert.equal(new KnownBlobIds(shared).has((packs[0] as IndexedPack).entries[0]!.id), false);
  });

  it('refuses a view that would make it probe forever or past its ids', () => {
    const slots = new SharedArrayBuffer(4 * 12);
    assert.throws(() => new KnownBlobIds({ ids: new SharedArrayBuffer(32), slots, count: 1 }), /12 slots for 1 ids/);
    const full = new SharedArrayBuffer(4 * 4);
    assert.throws(
      () => new KnownBlobIds({ ids: new SharedArrayBuffer(32 * 3), slots: full, count: 3 }),
      /4 slots for 3/,
    );
    const short = new SharedArrayBuffer(4 * 16);
    assert.throws(
      () => new KnownBlobIds({ ids: new SharedArrayBuffer(32), slots: short, count: 2 }),
      /32 bytes for 2 ids/,
    );
  });
});

describe('index files', () => {
  const at = suiteDir('vigil-index-');
  const packs: IndexedPack[] = [
    { id: packId('one'), entries: entries('one', 300) },
    { id: packId('two'), entries: entries('two', 5) },
  ];

  it('round-trip through a sealed file named by its SHA-256', async () => {
    const repo = at('roundtrip');
    const id = await writeIndexFile(new LocalStorage(repo), sealer, packs);
    assert.equal(
      createHash('sha256')
        .update(readFileSync(join(repo, indexName(id))))
        .digest('hex'),
      id,
    );
    assert.deepEqual(await readIndexFile(new LocalStorage(repo), id, sealer), packs);
    assert.deepEqual(readdirSync(join(repo, 'tmp')), []);
  });

  it('refuses a file whose bytes changed, or that does not open', async () => {
    const repo = at('changed');
    const id = await writeIndexFile(new LocalStorage(repo), sealer, packs);
    const bytes = readFileSync(join(repo, indexName(id)));
    bytes[100]! ^= 1;
    writeFileSync(join(repo, indexName(id)), bytes);
    await assertDamaged(() => readIndexFile(new LocalStorage(repo), id, sealer), /do not hash to its name/);
    const renamed = createHash('sha256').update(bytes).digest('hex');
    renameSync(join(repo, indexName(id)), join(repo, indexName(renamed)));
    await assertDamaged(() => readIndexFile(new LocalStorage(repo), renamed, sealer), /does not open \(bad MAC\)/);
  });

  describe('refuses damaged contents', () => {
    const good = () => encodeIndex(packs);
    const cases: Array<[string, () => Buffer, RegExp]> = [
      ['another file', () => Buffer.from('hello, this is not an index'), /not an index/],
      [
        'a huge pack count',
        () => {
          const b = good();
          b.writeUInt32LE(0xffffffff, 8);
          return b;
        },
        /4294967295 packs in/,
      ],
      [
        'a huge entry count',
        () => {
          const b = good();
          b.writeUInt32LE(0x7fffffff, 12 + 32);
          return b;
        },
        /2147483647 entries, more than the file holds/,
      ],
      ['bytes after the last pack', () => Buffer.concat([good(), Buffer.alloc(3)]), /3 bytes after the last pack/],
      ['a pack listed twice', () => encodeIndex([packs[1]!, packs[1]!]), /listed twice/],
      [
        'overlapping entries',
        () => {
          const [a, b] = entries('overlap', 2);
          return encodeIndex([{ id: packId('o'), entries: [a!, { ...b!, offset: a!.offset + 1 }] }]);
        },
        /entry 1 overlaps/,
      ],
      [
        'an unknown kind',
        () => {
          const b = good();
          b[12 + 36] = 9;
          return b;
        },
        /entry 0: unknown blob kind 9/,
      ],
    ];
    for (const [name, bytes, reason] of cases) {
      it(name, async () => {
        const repo = at(`crafted-${name.replace(/\W+/g, '-')}`);
        // Through the identity sealer, the hand-made plaintext reaches the parser as it is.
        const content = bytes();
        const id = createHash('sha256').update(content).digest('hex');
        writeFileSync(join(await writeIndexDir(repo), id), content);
        await assertDamaged(() => readIndexFile(new LocalStorage(repo), id, identitySealer), reason);
      });
    }
  });

  async function writeIndexDir(repo: string): Promise<string> {
    await writeIndexFile(new LocalStorage(repo), identitySealer, []);
    return join(repo, 'index');
  }

  it('merge into one index; a damaged file costs only the blobs it alone lists', async () => {
    const repo = at('merge');
    const a = await writeIndexFile(new LocalStorage(repo), sealer, [packs[0]!]);
    const b = await writeIndexFile(new LocalStorage(repo), sealer, [packs[1]!]);
    const c = await writeIndexFile(new LocalStorage(repo), sealer, [
      { id: packId('three'), entries: entries('three', 10) },
    ]);
    writeFileSync(join(repo, indexName(c)), 'damaged');
    const loaded = await loadIndex(new LocalStorage(repo), sealer);
    assert.deepEqual(loaded.files, [a, b].sort());
    assert.equal(loaded.damaged.length, 1);
    assert.equal(loaded.damaged[0]!.path, join(repo, indexName(c)));
    assert.equal(loaded.index.size, 305);
    for (const pack of packs) for (const e of pack.entries) assert.equal(loaded.index.find(e.id)?.packId, pack.id);

    // Compacting: one file with the same blobs, the old ones gone (the damaged one stays for verify to report).
    const merged = await compactIndex(new LocalStorage(repo), sealer, loaded.index, loaded.files);
    assert.equal(merged.length, 1);
    assert.deepEqual(await indexFileIds(new LocalStorage(repo)), [...merged, c].sort());
    assert.deepEqual((await loadIndex(new LocalStorage(repo), sealer)).index.packs(), loaded.index.packs());
    // Past the blobs a file may hold, whole packs go to further files.
    const split = await compactIndex(new LocalStorage(repo), sealer, loaded.index, merged, 200);
    assert.equal(split.length, 2);
    assert.deepEqual(await indexFileIds(new LocalStorage(repo)), [...split, c].sort());
    assert.deepEqual((await loadIndex(new LocalStorage(repo), sealer)).index.packs(), loaded.index.packs());
  });

  it('rebuild from the pack headers, reporting a damaged pack', async () => {
    const repo = at('rebuild');
    const writer = new PackWriter(join(repo, 'tmp'), sealer, { targetBytes: 64 * 1024 });
    const staged = [];
    for (let i = 0; i < 40; i++) {
      const payload = randomBytesFrom(`rebuild ${i}`, 10_000);
      const id = createHash('sha256').update(payload).digest();
      const pack = writer.add({ kind: 'data', id, payload, rawLength: payload.length, compressed: false });
      if (pack) staged.push(pack);
    }
    staged.push(writer.flush()!);
    const written = (await publishPacks(new LocalStorage(repo), staged)).map((p) => ({
      ...p,
      path: join(repo, packName(p.id)),
    }));
    const index = new BlobIndex();
    for (const pack of written) index.addPack(pack.id, pack.entries);
    const rebuilt = await rebuildIndex(new LocalStorage(repo), sealer);
    assert.deepEqual(rebuilt.damaged, []);
    assert.equal(rebuilt.index.size, 40);
    for (const pack of written)
      for (const e of pack.entries) assert.deepEqual(rebuilt.index.find(e.id), { ...e, packId: pack.id });

    assert.deepEqual(await missingPacks(new LocalStorage(repo), index), []);
    rmSync(written[1]!.path);
    assert.deepEqual(await missingPacks(new LocalStorage(repo), index), [written[1]!.id]);

    const broken = written[0]!;
    writeFileSync(broken.path, readFileSync(broken.path).subarray(0, 100));
    const again = await rebuildIndex(new LocalStorage(repo), sealer);
    assert.equal(again.damaged.length, 1);
    assert.ok(again.damaged[0] instanceof PackDamagedError);
    assert.equal(again.index.size, 40 - broken.entries.length - written[1]!.entries.length);
  });
});
