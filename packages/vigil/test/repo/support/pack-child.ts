/**
 * A pack writer that never stops, for test/repo/pack-crash.test.ts to kill -9: it adds
 * blobs to REPO (argv[2]) and prints "blob N" after each and "pack ID" after each pack it
 * completes, then writes an index file for that pack, as a backup run does once its packs are
 * durable, so the test knows how far it got.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import { writeIndexFile } from '../../../src/repo/index-file.js';
import { PackWriter, publishPacks } from '../../../src/repo/pack-writer.js';
import { LocalStorage } from '../../../src/storage/local-storage.js';
import { macSealer } from '../sealers.js';

const repo = process.argv[2];
if (repo === undefined) throw new Error('usage: pack-child REPO');
const sealer = macSealer();
const storage = new LocalStorage(repo);
const writer = new PackWriter(storage.stagingDir, sealer, { targetBytes: 1 << 20 });
for (let n = 0; ; n++) {
  const payload = randomBytes(50_000 + (n % 7) * 10_000);
  const pack = writer.add({
    kind: 'data',
    id: createHash('sha256').update(payload).digest(),
    payload,
    rawLength: payload.length,
    compressed: false,
  });
  writeSync(1, `blob ${n}\n`);
  if (pack) {
    await publishPacks(storage, [pack]);
    writeSync(1, `pack ${pack.id}\n`);
    await writeIndexFile(storage, sealer, [{ id: pack.id, entries: pack.entries }]);
  }
}
