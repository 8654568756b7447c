#!/usr/bin/env bash
# Repository format 2's codec (seal/open, blob ids, zstd, key files) on this Node and on
# Node 24 (installed from the npm registry by .ci/install-runtime.sh), and the zstd
# candidates vigil chose among, installed into bench/.scratch/zstd (never into the project).
# Usage: bash bench/repo-codec/run.sh [MiB of /usr/share, default 128]  (after `npm run build`)
set -euo pipefail
cd "$(dirname "$0")/../.."
mib=${1:-128}
scratch=bench/.scratch/zstd
if [ ! -d "$scratch/node_modules/@bokuweb/zstd-wasm" ]; then
  mkdir -p "$scratch"
  echo '{ "private": true }' > "$scratch/package.json"
  # zstd-napi compiles its bundled zstd when its prebuilt download fails (it does here).
  npm install --prefix "$scratch" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    @toondepauw/node-zstd@2.0.0 @bokuweb/zstd-wasm@0.0.27 zstd-napi@0.0.13 >&2
fi
node24=$(bash .ci/install-runtime.sh node 24.22.3)
echo "## Codec pieces, Node $(node --version)"
echo
node bench/repo-codec/run.mjs "$mib"
echo
echo "## Codec pieces, Node $("$node24" --version)"
echo
"$node24" bench/repo-codec/run.mjs "$mib"
echo
echo "## zstd candidates at the 'auto' and 'max' levels, Node $(node --version)"
echo
LEVELS=2,15 node bench/repo-codec/zstd-candidates.mjs "$mib"
echo
echo "## zstd candidates, Node $("$node24" --version)"
echo
LEVELS=2,15 "$node24" bench/repo-codec/zstd-candidates.mjs "$mib"
