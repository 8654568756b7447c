// Does OpenSSL 3's createHash contend across threads on tiny inputs? createHash per 4 KiB
// input vs copying a prototype Hash, with BLAKE3 (no OpenSSL) as the control, in 1 and 2
// threads.  Run from the repository root: node bench/hash/openssl-contention.mjs

import { createHash } from 'node:crypto';
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { blake3 } from '@napi-rs/blake-hash';

if (isMainThread) {
  for (const mode of ['createHash', 'copy', 'blake3'])
    for (const threads of [1, 2]) {
      const t = performance.now();
      await Promise.all(
        Array.from(
          { length: threads },
          () => new Promise((r) => new Worker(new URL(import.meta.url), { workerData: { mode } }).on('exit', r)),
        ),
      );
      const ms = performance.now() - t;
      console.log(
        `${mode} x${threads} threads: ${(ms).toFixed(0)} ms for ${threads} x 200k hashes of 4 KiB (${((((threads * 200000) / ms) * 1000) / 1e6).toFixed(2)} M hashes/s)`,
      );
    }
} else {
  const input = Buffer.alloc(4096, 7);
  const proto = createHash('sha256');
  for (let i = 0; i < 200000; i++) {
    if (workerData.mode === 'blake3') {
      blake3(input);
      continue;
    }
    const h = workerData.mode === 'copy' ? proto.copy() : createHash('sha256');
    h.update(input);
    h.digest();
  }
}
