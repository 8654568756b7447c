// The data the codec benchmarks run on: /usr/share's files in walk order, concatenated and cut
// into 1 MiB blobs (about what the chunker makes of them), and as many 1 MiB blobs of random
// bytes (already-compressed data: what 'auto' must notice and store as it is).
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const BLOB_BYTES = 1 << 20;

/** `totalBytes` of /usr/share's regular files as 1 MiB blobs (files over 8 MiB skipped). */
export function usrShareBlobs(totalBytes, root = '/usr/share') {
  const parts = [];
  let collected = 0;
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch {
      return;
    }
    for (const entry of entries) {
      if (collected >= totalBytes) return;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        try {
          const bytes = readFileSync(path);
          if (bytes.length > 8 << 20) continue;
          parts.push(bytes);
          collected += bytes.length;
        } catch {}
      }
    }
  };
  walk(root);
  const all = Buffer.concat(parts).subarray(0, totalBytes);
  const blobs = [];
  for (let at = 0; at + BLOB_BYTES <= all.length; at += BLOB_BYTES) blobs.push(all.subarray(at, at + BLOB_BYTES));
  return blobs;
}

export function randomBlobs(count) {
  return Array.from({ length: count }, () => randomBytes(BLOB_BYTES));
}

/** MB/s (10^6 bytes per second) of `bytes` done in `ns` nanoseconds. */
export function mbPerSecond(bytes, ns) {
  return (bytes / 1e6 / (Number(ns) / 1e9)).toFixed(0);
}

/** Runs `fn` over every blob `rounds` times after one warm-up round; the best round's time in ns. */
export function bestOf(rounds, blobs, fn) {
  for (const blob of blobs.slice(0, 2)) fn(blob);
  let best;
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    for (const blob of blobs) fn(blob);
    const ns = process.hrtime.bigint() - start;
    if (best === undefined || ns < best) best = ns;
  }
  return best;
}

/**
 * Times each entry over its blobs `rounds` times, the entries taking turns within each round
 * (A B C, A B C, ...), after one warm-up pass each: on a shared, noisy machine a burst of
 * other work then falls on every entry alike instead of on whichever ran during it. Returns
 * each entry's best round in MB/s.
 */
export function compareInterleaved(rounds, entries) {
  for (const entry of entries) for (const blob of entry.blobs.slice(0, 2)) entry.fn(blob);
  const best = entries.map(() => undefined);
  for (let round = 0; round < rounds; round++) {
    entries.forEach((entry, i) => {
      const start = process.hrtime.bigint();
      for (const blob of entry.blobs) entry.fn(blob);
      const ns = process.hrtime.bigint() - start;
      if (best[i] === undefined || ns < best[i]) best[i] = ns;
    });
  }
  // `bytes`: what the rate counts (the raw bytes, when the blobs are compressed frames).
  return entries.map((entry, i) =>
    mbPerSecond(entry.bytes ?? entry.blobs.reduce((sum, b) => sum + b.length, 0), best[i]),
  );
}
