#!/usr/bin/env bash
# vigil hash against its peers on three corpora, in one run, warm cache; writes
# its section of docs/benchmarks.md. Needs: hyperfine b3sum rhash hashdeep (apt-get install ...),
# GNU time (/usr/bin/time), and a built vigil (npm run build).
#   bash bench/hash/run.sh            all corpora
#   RUNS=5 bash bench/hash/run.sh     more runs per command (default 3)
#   CORPORA=small bash bench/hash/run.sh   only some corpora
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
scratch="$repo/bench/.scratch/hash"
out="$repo/bench/.scratch/benchmarks-vigil-hash.md"  # merged into docs/benchmarks.md at the end
runs="${RUNS:-3}"
jobs="$(nproc)"
vigil="node $repo/packages/vigil/dist/cli.js"
bash "$repo/bench/hash/make-corpora.sh" >/dev/null
for tool in hyperfine b3sum rhash hashdeep sha256sum /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is missing: apt-get install hyperfine b3sum rhash hashdeep time" >&2; exit 2; }
done

# name|command (run inside the corpus directory; every command hashes every regular file under .)
commands=(
  "vigil hash (blake3)|$vigil hash -q ."
  "vigil hash (blake3 before issue 22: @napi-rs/blake-hash)|VIGIL_NATIVE_BLAKE3=0 $vigil hash -q ."
  "vigil hash --algo sha256|$vigil hash -q --algo sha256 ."
  "b3sum|find . -type f -print0 | xargs -0 b3sum"
  "xargs -P$jobs b3sum|find . -type f -print0 | xargs -0 -P$jobs -n 512 b3sum"
  "rhash -r --sha256|rhash -r --sha256 ."
  "hashdeep -r -j$jobs (sha256)|hashdeep -r -j$jobs -c sha256 ."
  "sha256sum|find . -type f -print0 | xargs -0 sha256sum"
)

{
  echo "# vigil hash: benchmarks"
  echo
  echo "Made by \`bash bench/hash/run.sh\` on $(date -u +%Y-%m-%d). Warm page cache (one warm-up run per"
  echo "command), $runs runs each, mean ± σ of wall time from hyperfine; peak RSS from one run under"
  echo "\`/usr/bin/time -v\` (for pipelines, the largest process). The machine is shared with other work:"
  echo "compare ratios within a table, not absolute times across runs."
  echo
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), \`nproc\` = $jobs"
  echo "- Node $(node --version), $(b3sum --version), $(rhash --version | head -1), hashdeep $(hashdeep -V), $(sha256sum --version | head -1)"
  echo "- Memory $(free -g | awk '/Mem:/ {print $2}') GiB, Linux $(uname -r)"
  echo
} > "$out"

for corpus in ${CORPORA:-big share small}; do
  dir="$scratch/$corpus"
  files=$(find "$dir" -type f | wc -l)
  size=$(du -sh --apparent-size "$dir" | cut -f1)
  args=()
  for entry in "${commands[@]}"; do args+=(--command-name "${entry%%|*}" "${entry#*|} > /dev/null 2>&1"); done
  (cd "$dir" && hyperfine --style basic --warmup 1 --runs "$runs" --ignore-failure \
    --export-markdown "$scratch/$corpus.md" "${args[@]}" >&2)
  {
    echo "## $corpus: $files files, $size"
    echo
    echo "| command | mean ± σ | vs fastest | peak RSS |"
    echo "| --- | --- | --- | --- |"
  } >> "$out"
  unit=$(head -1 "$scratch/$corpus.md" | sed -E 's/.*Mean \[([a-zµ]+)\].*/\1/')
  i=0
  while IFS='|' read -r _ name mean _ _ rel _; do
    entry="${commands[$i]}"
    # Some peers exit non-zero on files they cannot read; their RSS still counts.
    rss=$( (cd "$dir" && /usr/bin/time -f '%M' sh -c "${entry#*|} > /dev/null 2>/dev/null") 2>&1 | tail -1 || true)
    echo "|$name|$(echo "$mean" | xargs) $unit|$(echo "$rel" | xargs)|$((rss / 1024)) MiB|" >> "$out"
    i=$((i + 1))
  done < <(tail -n +3 "$scratch/$corpus.md")
  echo >> "$out"
done
echo "wrote $out" >&2
node "$repo/bench/doc-section.mjs" "vigil hash (bench/hash)" "$out"
