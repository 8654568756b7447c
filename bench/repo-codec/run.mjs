#!/usr/bin/env node
// Repository format 2's per-blob codec, each piece alone on one core (vigil runs one per
// worker): seal/open (AES-256-GCM), blob ids (keyed BLAKE3), compress/decompress (zstd at the
// 'auto' and 'max' levels) on 1 MiB blobs of /usr/share and of random bytes, and what one key
// file costs to open. Peers measured in the same run, interleaved with ours: node:crypto's
// AES-256-GCM without our framing, unkeyed BLAKE3, and each zstd this Node has.
// Needs `npm run build` first. Usage: node bench/repo-codec/run.mjs [MiB of /usr/share, default 128]
import { createCipheriv, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { compareInterleaved, randomBlobs, usrShareBlobs } from './sample.mjs';

const dist = new URL('../../packages/vigil/dist/repo/', import.meta.url);
const { createSealer } = await import(new URL('sealer.js', dist));
const { createNapiBlobIdHasher, createNativeBlobIdHasher } = await import(new URL('blob-id.js', dist));
const { createBlobCodec, AUTO_LEVEL, MAX_LEVEL } = await import(new URL('compression.js', dist));
const { nativeZstd, nodeZlibZstd, wasmZstd } = await import(new URL('zstd.js', dist));
const { createKeyFile, openKeyFile, DEFAULT_SCRYPT } = await import(new URL('keys.js', dist));
const vigilRequire = createRequire(new URL('../../packages/vigil/package.json', import.meta.url));
const { blake3 } = vigilRequire('@napi-rs/blake-hash');

const ROUNDS = 5;
const mib = Number(process.argv[2] ?? 128);
const text = usrShareBlobs(mib << 20);
const random = randomBlobs(16);
const bytesOf = (blobs) => blobs.reduce((sum, blob) => sum + blob.length, 0);
const rows = [];

/** One table row per entry, all entries timed interleaved. */
function group(rounds, piece, data, entries) {
  const figures = compareInterleaved(rounds, entries);
  for (const [i, entry] of entries.entries()) {
    rows.push(`| ${piece} | ${entry.how} | ${data} | ${figures[i]} | ${entry.note ?? ''} |`);
  }
}

// Sealing: ours (nonce || ciphertext || tag, kind as AAD) against bare node:crypto GCM.
const key = randomBytes(32);
const sealer = createSealer(key);
const sealed = text.map((blob) => sealer.seal(blob, 'data'));
const bareGcm = (blob) => {
  const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
  cipher.update(blob);
  cipher.final();
  cipher.getAuthTag();
};
group(ROUNDS, 'seal / open', '1 MiB blobs', [
  { how: 'seal: vigil sealer (AES-256-GCM)', blobs: text, fn: (b) => sealer.seal(b, 'data') },
  { how: 'open: vigil sealer', blobs: sealed, fn: (s) => sealer.open(s, 'data') },
  { how: 'peer: bare node:crypto aes-256-gcm encrypt', blobs: text, fn: bareGcm },
]);

// Blob ids.
const idKey = randomBytes(32);
const native = createNativeBlobIdHasher(idKey);
const napi = createNapiBlobIdHasher(idKey);
const small = text.flatMap((blob) => Array.from({ length: 256 }, (_, k) => blob.subarray(k * 4096, (k + 1) * 4096)));
for (const [data, blobs] of [
  ['1 MiB blobs', text],
  ['4 KiB blobs', small.slice(0, 16384)],
]) {
  group(ROUNDS, 'blob id', data, [
    ...(native ? [{ how: 'keyed BLAKE3, addon (BLAKE3 C sources)', blobs, fn: (b) => native.id(b) }] : []),
    { how: 'keyed BLAKE3, @napi-rs/blake-hash', blobs, fn: (b) => napi.id(b) },
    { how: 'peer: unkeyed blake3(), @napi-rs/blake-hash', blobs, fn: (b) => blake3(b) },
  ]);
}

// Compression through the framing, on each zstd this install has, interleaved.
const codecs = [nativeZstd(), nodeZlibZstd(), await wasmZstd()].filter(Boolean).map((z) => createBlobCodec(z));
const ratio = (blobs, mode) =>
  `${((100 * bytesOf(blobs.map((b) => codecs[0].encode(b, mode)))) / bytesOf(blobs)).toFixed(1)}% of raw`;
// 'max' is slow: an eighth of the sample, two rounds.
const maxSample = text.slice(0, Math.max(2, text.length >> 3));
for (const [mode, data, blobs, rounds] of [
  ['auto', '/usr/share', text, ROUNDS],
  ['auto', 'random', random, ROUNDS],
  ['max', '/usr/share (1/8 of it)', maxSample, 2],
]) {
  const level = mode === 'max' ? MAX_LEVEL : AUTO_LEVEL;
  const size = ratio(blobs, mode);
  group(
    rounds,
    `compress ${mode} (zstd ${level})`,
    data,
    codecs.map((codec) => ({ how: codec.zstd, blobs, fn: (b) => codec.encode(b, mode), note: size })),
  );
  const encoded = blobs.map((b) => codecs[0].encode(b, mode));
  if (encoded.every((e) => e[0] === 0)) {
    rows.push(
      `| decompress ${mode} | every zstd | ${data} | - | all stored as they are: decoding is a view, no copy |`,
    );
    continue;
  }
  const lengths = new Map(encoded.map((e, i) => [e, blobs[i].length]));
  group(
    ROUNDS,
    `decompress ${mode} (zstd ${level})`,
    data,
    codecs.map((codec) => ({
      how: codec.zstd,
      blobs: encoded,
      bytes: bytesOf(blobs),
      fn: (e) => codec.decode(e, { rawLength: lengths.get(e) }),
    })),
  );
}

// Key files: what opening one costs (scrypt at the default parameters), best of 3.
const made = await createKeyFile('benchmark password');
let bestMs = Number.POSITIVE_INFINITY;
for (let round = 0; round < 3; round++) {
  const start = process.hrtime.bigint();
  await openKeyFile(made.json, 'benchmark password', { repo: 'bench' });
  bestMs = Math.min(bestMs, Number(process.hrtime.bigint() - start) / 1e6);
}
const { N, r, p } = DEFAULT_SCRYPT;
rows.push(
  `| open key file | scrypt N=2^${Math.log2(N)} r=${r} p=${p} (${(128 * N * r) / 2 ** 20} MiB) | one file | - | ${bestMs.toFixed(0)} ms |`,
);

console.log(
  `${cpus().length} x ${cpus()[0]?.model}, Node ${process.versions.node}; ${text.length} MiB of /usr/share ` +
    `in 1 MiB blobs, ${random.length} MiB random; one core; best of ${ROUNDS} interleaved rounds.`,
);
console.log('');
console.log('| piece | how | data | MB/s | note |');
console.log('| --- | --- | --- | ---: | --- |');
for (const line of rows) console.log(line);
