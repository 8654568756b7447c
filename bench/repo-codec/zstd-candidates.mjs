#!/usr/bin/env node
// Which zstd vigil uses on each Node: compress and decompress MB/s and the ratio of each
// candidate installed in bench/.scratch/zstd (bench/repo-codec/run.sh installs them), and of
// node:zlib where this Node has zstd (>= 22.15), at the levels 'auto' and 'max' would use.
// Usage: node bench/repo-codec/zstd-candidates.mjs [MiB of /usr/share, default 32]
import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';
import { compareInterleaved, randomBlobs, usrShareBlobs } from './sample.mjs';

const scratch = createRequire(new URL('../.scratch/zstd/package.json', import.meta.url));
const mib = Number(process.argv[2] ?? 32);
const text = usrShareBlobs(mib << 20);
const random = randomBlobs(8);
const levels = (process.env.LEVELS ?? '1,3,9,19').split(',').map(Number);

const candidates = [];
if (typeof zlib.zstdCompressSync === 'function') {
  candidates.push({
    name: `node:zlib (Node ${process.versions.node})`,
    // As src/repo/zstd.ts calls it: output in one chunk of the blob's size.
    compress: (data, level) =>
      zlib.zstdCompressSync(data, {
        params: { [zlib.constants.ZSTD_c_compressionLevel]: level },
        chunkSize: Math.max(data.length, 64),
      }),
    decompress: (frame, size) =>
      zlib.zstdDecompressSync(frame, { maxOutputLength: size, chunkSize: Math.max(size, 64) }),
  });
}
const vigilRequire = createRequire(new URL('../../packages/vigil/package.json', import.meta.url));
try {
  const addon = vigilRequire('./build/Release/vigil_native.node');
  if (addon.zstdCompress) {
    candidates.push({
      name: `vigil addon, system libzstd ${addon.zstd}`,
      compress: (data, level) => addon.zstdCompress(data, level),
      decompress: (frame, size) => addon.zstdDecompress(frame, size),
    });
  }
} catch {}
const only = process.env.ONLY;
const tryLoad = async (name, make) => {
  if (only !== undefined && !name.includes(only)) return;
  try {
    candidates.push(await make());
  } catch (error) {
    console.log(`# ${name}: not loaded (${error.message.split('\n')[0]})`);
  }
};
await tryLoad('@toondepauw/node-zstd', () => {
  const { Encoder, Decoder } = scratch('@toondepauw/node-zstd');
  const encoders = new Map();
  const decoder = new Decoder();
  return {
    name: '@toondepauw/node-zstd 2.0.0 (napi-rs, prebuilt)',
    compress: (data, level) => {
      if (!encoders.has(level)) encoders.set(level, new Encoder(level));
      return encoders.get(level).encodeSync(data);
    },
    decompress: (frame) => decoder.decodeSync(frame),
  };
});
await tryLoad('zstd-napi', () => {
  const { compress, decompress } = scratch('zstd-napi');
  return {
    name: 'zstd-napi 0.0.13 (node-addon-api, compiled here)',
    compress: (data, level) => compress(data, { compressionLevel: level }),
    decompress: (frame) => decompress(frame),
  };
});
await tryLoad('@bokuweb/zstd-wasm', async () => {
  const wasm = scratch('@bokuweb/zstd-wasm');
  await wasm.init();
  return {
    name: '@bokuweb/zstd-wasm 0.0.27 (WebAssembly)',
    compress: (data, level) => wasm.compress(data, level),
    decompress: (frame) => wasm.decompress(frame),
  };
});

const total = (blobs) => blobs.reduce((sum, blob) => sum + blob.length, 0);
console.log(
  `Node ${process.versions.node}; ${text.length} MiB of /usr/share in 1 MiB blobs, ${random.length} MiB random; candidates interleaved, best of 3 (slow levels: a quarter of the sample, best of 2).`,
);
console.log('');
console.log('| candidate | data | level | compress MB/s | decompress MB/s | size after |');
console.log('| --- | --- | --- | ---: | ---: | ---: |');
for (const [label, blobs] of [
  ['/usr/share', text],
  ['random', random],
]) {
  for (const level of levels) {
    const slow = level >= 10;
    const sample = slow ? blobs.slice(0, Math.max(2, blobs.length >> 2)) : blobs;
    const frames = candidates.map((candidate) => sample.map((blob) => candidate.compress(blob, level)));
    candidates.forEach((candidate, c) => {
      frames[c].forEach((frame, i) => {
        if (!Buffer.from(candidate.decompress(frame, sample[i].length)).equals(sample[i])) {
          throw new Error(`${candidate.name}: round trip differs`);
        }
      });
    });
    const rounds = slow ? 2 : 3;
    const compress = compareInterleaved(
      rounds,
      candidates.map((candidate) => ({ blobs: sample, fn: (b) => candidate.compress(b, level) })),
    );
    const decompress = compareInterleaved(
      3,
      candidates.map((candidate, c) => {
        const sizes = new Map(frames[c].map((frame, i) => [frame, sample[i].length]));
        return { blobs: frames[c], bytes: total(sample), fn: (f) => candidate.decompress(f, sizes.get(f)) };
      }),
    );
    candidates.forEach((candidate, c) => {
      const ratio = total(frames[c]) / total(sample);
      console.log(
        `| ${candidate.name} | ${label} | ${level} | ${compress[c]} | ${decompress[c]} | ${(ratio * 100).toFixed(1)}% |`,
      );
    });
  }
}
