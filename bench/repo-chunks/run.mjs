#!/usr/bin/env node
// Benchmarks of repository format 2's storage pieces (packages/vigil/src/repo/): the chunker's
// per-byte loop in C and in JavaScript (with SHA-256 and BLAKE3 over the same bytes as
// yardsticks), pack writing (with a plain write + fsync of the same bytes as the yardstick),
// and the in-memory index's bytes per blob for 1M blobs (against a Map of hex strings).
// Writes its report into docs/benchmarks.md ("vigil repository format 2: chunks, packs, index").
//   npm run build && node bench/repo-chunks/run.mjs [--no-doc]
import { execFileSync, spawnSync } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Blake3Hasher } from '@napi-rs/blake-hash';

const root = new URL('../../', import.meta.url).pathname;
const dist = (file) => join(root, 'packages/vigil/dist/repo', file);
const { Chunker } = await import(dist('chunker.js'));
const { gearTable, DEFAULT_CHUNKER_PARAMS } = await import(dist('chunker-params.js'));
const { chunkScanJs, nativeChunkScan } = await import(dist('chunker-scan.js'));
const { PackWriter } = await import(dist('pack-writer.js'));
const { BlobIndex } = await import(dist('index-table.js'));

const MiB = 1 << 20;
const REPEATS = 5;

if (process.argv.includes('--index-memory')) {
  console.log(JSON.stringify(indexMemory(Number(process.argv[3]))));
  process.exit(0);
}

function pseudoRandom(length, label) {
  const key = createHash('sha256').update(label).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length));
}

/**
 * The best rate of each of `fns` (MB/s of `bytes`) over REPEATS rounds. Each round runs every
 * one, starting from a different one each time, so a burst of load from the machine's other
 * users falls on all of them alike rather than on whichever ran then.
 */
function bestRates(bytes, fns) {
  const names = Object.keys(fns);
  const best = Object.fromEntries(names.map((name) => [name, Infinity]));
  for (let round = 0; round < REPEATS; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      const start = process.hrtime.bigint();
      fns[name]();
      best[name] = Math.min(best[name], Number(process.hrtime.bigint() - start) / 1e9);
    }
  }
  return Object.fromEntries(names.map((name) => [name, bytes / 1e6 / best[name]]));
}

function chunkAll(data, scan) {
  const chunker = new Chunker(gear, { scan });
  const sizes = [];
  for (let at = 0; at < data.length; at += MiB)
    for (const c of chunker.push(data.subarray(at, at + MiB))) sizes.push(c.length);
  for (const c of chunker.finish()) sizes.push(c.length);
  return sizes;
}

const gear = gearTable(createHash('sha256').update('bench seed').digest());
const data = pseudoRandom(256 * MiB, 'bench data');
const native = nativeChunkScan();
if (!native) throw new Error('the native addon has no chunkScan: npm run build:native -w packages/vigil');

// 1. Chunker.
const sizes = chunkAll(data, native);
const rates = bestRates(data.length, {
  'chunker, C (native addon)': () => chunkAll(data, native),
  'chunker, JavaScript fallback': () => chunkAll(data, chunkScanJs),
  'SHA-256 (node:crypto), yardstick': () => createHash('sha256').update(data).digest(),
  'BLAKE3 (@napi-rs/blake-hash), yardstick': () => new Blake3Hasher().update(data).digest('hex'),
});
const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
const inner = sizes.slice(0, -1);

// 2. Packs: 256 MiB of 1 MiB blobs, fsync per 16 MiB pack.
const scratch = mkdtempSync(join(tmpdir(), 'vigil-bench-packs-'));
const identity = { seal: (b) => b, open: (b) => b };
const key = randomBytes(32);
const gcm = {
  seal(plain, kind) {
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, nonce).setAAD(Buffer.from(kind));
    const body = c.update(plain);
    c.final();
    return Buffer.concat([nonce, body, c.getAuthTag()]);
  },
  open: () => {
    throw new Error('not used');
  },
};
const blobs = [];
for (let at = 0; at < data.length; at += MiB) {
  const payload = data.subarray(at, at + MiB);
  blobs.push({
    kind: 'data',
    id: createHash('sha256').update(payload).digest(),
    payload,
    rawLength: MiB,
    compressed: false,
  });
}
let run = 0;
function writePacks(sealer) {
  const repo = join(scratch, `repo-${run++}`);
  const writer = new PackWriter(repo, sealer);
  for (const b of blobs) writer.add(b);
  writer.flush();
  rmSync(repo, { recursive: true });
}
function plainWrites() {
  for (let at = 0; at < data.length; at += 16 * MiB) {
    const path = join(scratch, 'plain');
    const fd = openSync(path, 'w');
    writeSync(fd, data, at, 16 * MiB, 0);
    fsyncSync(fd);
    closeSync(fd);
    rmSync(path);
  }
}
const packRates = bestRates(data.length, {
  'pack writer, identity sealer': () => writePacks(identity),
  'pack writer, AES-256-GCM sealer (node:crypto)': () => writePacks(gcm),
  'write + fsync per 16 MiB, yardstick': plainWrites,
});
rmSync(scratch, { recursive: true });

// 3. Index memory, each in a fresh process.
const memory = ['blob-index', 'map'].map((kind) => {
  const out = spawnSync(
    process.execPath,
    ['--expose-gc', new URL(import.meta.url).pathname, '--index-memory', kind === 'map' ? '1' : '0'],
    {
      encoding: 'utf8',
    },
  );
  if (out.status !== 0) throw new Error(out.stderr);
  return JSON.parse(out.stdout);
});

function indexMemory(useMap) {
  const count = 1_000_000;
  const ids = randomBytes(count * 32);
  const packId = (n) => createHash('sha256').update(String(n)).digest('hex');
  const packs = Array.from({ length: count / 16 }, (_, n) => packId(n));
  globalThis.gc();
  const before = process.memoryUsage();
  let table;
  const start = process.hrtime.bigint();
  if (useMap) {
    table = new Map();
    for (let i = 0; i < count; i++) {
      table.set(ids.toString('hex', i * 32, i * 32 + 32), {
        pack: packs[i >> 4],
        offset: i,
        sealedLength: 1000,
        rawLength: 2000,
        kind: 'data',
        compressed: true,
      });
    }
  } else {
    table = new BlobIndex();
    for (let i = 0; i < count; i++) {
      table.add(packs[i >> 4], {
        kind: 'data',
        id: ids.subarray(i * 32, i * 32 + 32),
        offset: i,
        sealedLength: 1000,
        rawLength: 2000,
        compressed: true,
      });
    }
  }
  const addSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  // Twice: the columns a BlobIndex outgrew are freed by the first, their buffers' memory by the second.
  globalThis.gc();
  globalThis.gc();
  const after = process.memoryUsage();
  const lookStart = process.hrtime.bigint();
  let found = 0;
  for (let i = 0; i < count; i++) {
    const id = ids.subarray(i * 32, i * 32 + 32);
    if (useMap ? table.get(id.toString('hex')) : table.find(id)) found++;
  }
  const lookupSeconds = Number(process.hrtime.bigint() - lookStart) / 1e9;
  if (found !== count) throw new Error(`found ${found} of ${count}`);
  const hasStart = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const id = ids.subarray(i * 32, i * 32 + 32);
    if (!(useMap ? table.has(id.toString('hex')) : table.has(id))) throw new Error('lost');
  }
  const hasSeconds = Number(process.hrtime.bigint() - hasStart) / 1e9;
  // `external` includes `arrayBuffers` (the columns).
  const grew = after.heapUsed + after.external - (before.heapUsed + before.external);
  return {
    kind: useMap ? 'Map<hex string, object>' : 'BlobIndex (packed columns)',
    bytesPerBlob: grew / count,
    columnsPerBlob: useMap ? undefined : table.memoryBytes / count,
    addsPerSecond: count / addSeconds,
    lookupsPerSecond: count / lookupSeconds,
    hasPerSecond: count / hasSeconds,
  };
}

// Report.
const f = (n, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
const lines = [
  '# vigil repository format 2: chunks, packs, index',
  '',
  `Machine: ${cpus().length} cores, ${cpus()[0].model} (shared and noisy), Node ${process.version}, load average ${f(loadavg()[0], 2)} at the end; commit ${commit}; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
  'Command: `npm run build && node bench/repo-chunks/run.mjs`. Each rate is the best of 5 rounds (each round runs every contender, in rotated order) over the same 256 MiB of pseudo-random bytes (incompressible), one thread.',
  'Ratios compare figures of the same run; the machine is shared, so trust ratios more than absolute figures.',
  '',
  '## Chunker (FastCDC gear hash, min 512 KiB, normal 768 KiB, max 8 MiB)',
  '',
  '| what | MB/s | vs C chunker |',
  '| --- | ---: | ---: |',
  ...Object.entries(rates).map(
    ([what, r]) => `| ${what} | ${f(r)} | ${f(r / rates['chunker, C (native addon)'], 2)}x |`,
  ),
  '',
  `Chunks of the 256 MiB: ${sizes.length}, mean ${f(mean / MiB, 2)} MiB, smallest ${f(Math.min(...inner) / 1024)} KiB, largest ${f(Math.max(...inner) / 1024)} KiB (last chunk left out; parameters ${JSON.stringify(DEFAULT_CHUNKER_PARAMS)}).`,
  'The chunker hashes only the bytes after min - 64 in each chunk (cut-point skipping), so it touches about half of them; its rate counts every byte of the input.',
  `What it says: the C loop cuts ${f(rates['chunker, C (native addon)'] / rates['BLAKE3 (@napi-rs/blake-hash), yardstick'], 1)}x as fast as BLAKE3 hashes the same bytes, so chunking adds less per byte than computing the blob ids does; the JavaScript fallback is ${f(rates['chunker, C (native addon)'] / rates['chunker, JavaScript fallback'], 0)}x slower and is for machines without a C compiler.`,
  '',
  '## Pack writing (1 MiB blobs into 16 MiB packs, fsync and rename per pack)',
  '',
  '| what | MB/s | vs plain write + fsync |',
  '| --- | ---: | ---: |',
  ...Object.entries(packRates).map(
    ([what, r]) => `| ${what} | ${f(r)} | ${f(r / packRates['write + fsync per 16 MiB, yardstick'], 2)}x |`,
  ),
  '',
  "The pack writer does the same writes plus the SHA-256 of every byte (the pack's id) and a rename and two fsyncs per pack; the AES-256-GCM sealer (one copy and one pass of encryption per blob) stands in for the real one, built separately. The disk is shared: these rates move by 1.5x from run to run.",
  '',
  '## In-memory index, 1,000,000 blobs in 62,500 packs (each in a fresh process, after gc)',
  '',
  '| table | bytes per blob (heap + buffers) | adds/s | find/s | has/s |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...memory.map(
    (m) =>
      `| ${m.kind} | ${f(m.bytesPerBlob)}${m.columnsPerBlob ? ` (columns ${f(m.columnsPerBlob)})` : ''} | ${f(m.addsPerSecond)} | ${f(m.lookupsPerSecond)} | ${f(m.hasPerSecond)} |`,
  ),
  '',
  `BlobIndex takes ${f(memory[1].bytesPerBlob / memory[0].bytesPerBlob, 1)}x less memory than the Map. Its per-blob figure includes the growth slack of its columns (they grow by half) and the pack ids' strings.`,
];
const report = lines.join('\n');
console.log(report);
if (!process.argv.includes('--no-doc')) {
  const file = join(tmpdir(), `repo-chunks-${process.pid}.md`);
  writeFileSync(file, report);
  execFileSync(process.execPath, [
    join(root, 'bench/doc-section.mjs'),
    'vigil repository format 2: chunks, packs, index (bench/repo-chunks)',
    file,
  ]);
  rmSync(file);
}
