#!/usr/bin/env bash
# Makes the three corpora of the vigil hash benchmark under bench/.scratch/hash (gitignored;
# never committed). Idempotent: a corpus that exists is kept.
#   big/    4 x 512 MiB of random bytes
#   share/  a copy of /usr/share (about 46k files, 660 MB here)
#   small/  200,000 files of 1-8 KiB in 200 directories
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)/bench/.scratch/hash"
mkdir -p "$root"

if [ ! -f "$root/big.done" ]; then
  rm -rf "$root/big" && mkdir -p "$root/big"
  for i in 1 2 3 4; do head -c $((512 * 1024 * 1024)) /dev/urandom > "$root/big/random-$i.bin"; done
  touch "$root/big.done"
fi

if [ ! -f "$root/share.done" ]; then
  rm -rf "$root/share" && cp -a /usr/share "$root/share" 2>/dev/null || true
  touch "$root/share.done"
fi

if [ ! -f "$root/small.done" ]; then
  rm -rf "$root/small" && mkdir -p "$root/small"
  node -e '
    const { mkdirSync, writeFileSync } = require("node:fs");
    const { randomFillSync } = require("node:crypto");
    const root = process.argv[1];
    const pool = randomFillSync(Buffer.alloc(1 << 20));
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let d = 0; d < 200; d++) {
      const dir = `${root}/d${String(d).padStart(3, "0")}`;
      mkdirSync(dir);
      for (let f = 0; f < 1000; f++) {
        const size = 1024 + (next() % (7 * 1024 + 1));
        const offset = next() % (pool.length - size);
        writeFileSync(`${dir}/f${String(f).padStart(4, "0")}`, pool.subarray(offset, offset + size));
      }
    }
  ' "$root/small"
  touch "$root/small.done"
fi
# The .done markers are not data: keep them out of the hashed trees' comparisons.
du -sh "$root"/big "$root"/share "$root"/small
