#!/usr/bin/env node
// Repository format 2's per-blob codec, each piece alone on one core (vigil runs one per
// worker): seal/open (AES-256-GCM), blob ids (keyed BLAKE3), compress/decompress (zstd at the
// 'auto' and 'max' levels) on 1 MiB blobs of /usr/share and of random bytes, and what one key
// file costs to open. Peers measured in the same run: node:crypto's AES-256-GCM without our
// framing, unkeyed BLAKE3, and each zstd this Node has. Needs `npm run build` first.
// Usage: node bench/repo-codec/run.mjs [MiB of /usr/share, default 128]
import { createCipheriv, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { bestOf, mbPerSecond, randomBlobs, usrShareBlobs } from './sample.mjs';

const dist = new URL('../../packages/vigil/dist/repo/', import.meta.url);
const { createSealer } = await import(new URL('sealer.js', dist));
const { createNapiBlobIdHasher, createNativeBlobIdHasher } = await import(new URL('blob-id.js', dist));
const { createBlobCodec, AUTO_LEVEL, MAX_LEVEL } = await import(new URL('compression.js', dist));
const { nativeZstd, nodeZlibZstd, wasmZstd } = await import(new URL('zstd.js', dist));
const { createKeyFile, openKeyFile, DEFAULT_SCRYPT } = await import(new URL('keys.js', dist));
const vigilRequire = createRequire(new URL('../../packages/vigil/package.json', import.meta.url));
const { blake3 } = vigilRequire('@napi-rs/blake-hash');

const mib = Number(process.argv[2] ?? 128);
const text = usrShareBlobs(mib << 20);
const random = randomBlobs(16);
const bytesOf = (blobs) => blobs.reduce((sum, blob) => sum + blob.length, 0);
const rows = [];
const row = (piece, how, data, mbps, note = '') => rows.push(`| ${piece} | ${how} | ${data} | ${mbps} | ${note} |`);

// Sealing: ours (nonce || ciphertext || tag, kind as AAD) against bare node:crypto GCM.
const key = randomBytes(32);
const sealer = createSealer(key);
const sealed = text.map((blob) => sealer.seal(blob, 'data'));
row(
  'seal',
  'vigil sealer (AES-256-GCM)',
  '1 MiB blobs',
  mbPerSecond(
    bytesOf(text),
    bestOf(3, text, (b) => sealer.seal(b, 'data')),
  ),
);
row(
  'open',
  'vigil sealer (AES-256-GCM)',
  '1 MiB blobs',
  mbPerSecond(
    bytesOf(text),
    bestOf(3, sealed, (s) => sealer.open(s, 'data')),
  ),
);
const bareGcm = (blob) => {
  const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
  cipher.update(blob);
  cipher.final();
  cipher.getAuthTag();
};
row('seal', 'peer: bare node:crypto aes-256-gcm', '1 MiB blobs', mbPerSecond(bytesOf(text), bestOf(3, text, bareGcm)));

// Blob ids.
const idKey = randomBytes(32);
const native = createNativeBlobIdHasher(idKey);
const napi = createNapiBlobIdHasher(idKey);
if (native)
  row(
    'blob id',
    'keyed BLAKE3, addon (BLAKE3 C sources)',
    '1 MiB blobs',
    mbPerSecond(
      bytesOf(text),
      bestOf(3, text, (b) => native.id(b)),
    ),
  );
row(
  'blob id',
  'keyed BLAKE3, @napi-rs/blake-hash',
  '1 MiB blobs',
  mbPerSecond(
    bytesOf(text),
    bestOf(3, text, (b) => napi.id(b)),
  ),
);
row(
  'blob id',
  'peer: unkeyed blake3(), @napi-rs/blake-hash',
  '1 MiB blobs',
  mbPerSecond(
    bytesOf(text),
    bestOf(3, text, (b) => blake3(b)),
  ),
);
const small = text
  .flatMap((blob) => Array.from({ length: 256 }, (_, k) => blob.subarray(k * 4096, k * 4096 + 4096)))
  .slice(0, 16384);
if (native)
  row(
    'blob id',
    'keyed BLAKE3, addon',
    '4 KiB blobs',
    mbPerSecond(
      bytesOf(small),
      bestOf(3, small, (b) => native.id(b)),
    ),
  );
row(
  'blob id',
  'keyed BLAKE3, @napi-rs/blake-hash',
  '4 KiB blobs',
  mbPerSecond(
    bytesOf(small),
    bestOf(3, small, (b) => napi.id(b)),
  ),
);

// Compression through the framing, on each zstd this install has.
const zstds = [nativeZstd(), nodeZlibZstd(), await wasmZstd()].filter(Boolean);
for (const zstd of zstds) {
  const codec = createBlobCodec(zstd);
  for (const [label, blobs] of [
    [`/usr/share`, text],
    ['random', random],
  ]) {
    for (const mode of ['auto', 'max']) {
      if (mode === 'max' && label === 'random') continue;
      // 'max' is slow: a quarter of the sample, once.
      const sample = mode === 'max' ? blobs.slice(0, Math.max(2, blobs.length >> 2)) : blobs;
      const encoded = sample.map((b) => codec.encode(b, mode));
      const level = mode === 'max' ? MAX_LEVEL : AUTO_LEVEL;
      const size = `${((100 * bytesOf(encoded)) / bytesOf(sample)).toFixed(1)}% of raw`;
      row(
        'compress',
        `${mode} (zstd ${level}), ${zstd.name}`,
        label,
        mbPerSecond(
          bytesOf(sample),
          bestOf(mode === 'max' ? 1 : 3, sample, (b) => codec.encode(b, mode)),
        ),
        size,
      );
      let k = 0;
      const stored = encoded.every((e) => e[0] === 0);
      const decodeNs = bestOf(3, encoded, (e) => codec.decode(e, { rawLength: sample[k++ % sample.length].length }));
      row(
        'decompress',
        `${mode} (zstd ${level}), ${zstd.name}`,
        label,
        stored ? '-' : mbPerSecond(bytesOf(sample), decodeNs),
        stored ? 'all stored as they are: decoding is a view, no copy' : '',
      );
    }
  }
}

// Key files: what opening one costs (scrypt at the default parameters).
const made = await createKeyFile('benchmark password');
const start = process.hrtime.bigint();
await openKeyFile(made.json, 'benchmark password', { repo: 'bench' });
const ms = Number(process.hrtime.bigint() - start) / 1e6;
row(
  'open key file',
  `scrypt N=2^${Math.log2(DEFAULT_SCRYPT.N)} r=${DEFAULT_SCRYPT.r} p=${DEFAULT_SCRYPT.p} (${(128 * DEFAULT_SCRYPT.N * DEFAULT_SCRYPT.r) / 2 ** 20} MiB)`,
  'one file',
  '-',
  `${ms.toFixed(0)} ms`,
);

console.log(
  `# ${cpus().length} x ${cpus()[0]?.model}, Node ${process.versions.node}; ${text.length} MiB of /usr/share in 1 MiB blobs, ${random.length} MiB random; one core, best of 3`,
);
console.log('| piece | how | data | MB/s | note |');
console.log('| --- | --- | --- | ---: | --- |');
for (const line of rows) console.log(line);
