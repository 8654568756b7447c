#!/usr/bin/env bash
# Peak RSS of vigil baseline and check over a million entries (issue 7's memory aim).
# Makes 1,000,000 small files in 1,000 directories under bench/.scratch/million (kept for
# re-runs), then runs `vigil baseline` and `vigil check` under /usr/bin/time -v.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
tree="$repo/bench/.scratch/million"
vigil="node $repo/packages/vigil/dist/cli.js"
if [ ! -f "$tree.done" ]; then
  rm -rf "$tree"
  python3 - "$tree" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(1000):
    path = os.path.join(root, f"d{d:03}")
    os.makedirs(path)
    for f in range(1000):
        with open(os.path.join(path, f"f{f:03}"), "w") as out:
            out.write(f"{d} {f}\n")
PY
  touch "$tree.done"
fi
rss() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
start=$(date +%s.%N); b=$(rss $vigil baseline "$tree" 2>/dev/null || true); end=$(date +%s.%N)
echo "| vigil baseline | 1,000,000 files | $(echo "$end - $start" | bc | xargs printf '%.1f') s | $((b / 1024)) MiB |"
start=$(date +%s.%N); c=$(rss $vigil check "$tree" 2>/dev/null || true); end=$(date +%s.%N)
echo "| vigil check (no changes) | 1,000,000 files | $(echo "$end - $start" | bc | xargs printf '%.1f') s | $((c / 1024)) MiB |"
