#!/usr/bin/env bash
# Two builds of vigil side by side in one run (hyperfine alternates nothing, but both builds run
# in the same minutes on the same corpora, so the machine's load weighs on both alike):
#   bash bench/compare-builds.sh OTHER_CHECKOUT [LABEL]
# OTHER_CHECKOUT is a built checkout (npm ci && npm run build), e.g. a `git worktree` at the
# commit to compare with; this checkout is "this". Hashing (blake3, sha256), a baseline, a check
# with no changes and a first and a second backup, on bench/hash's corpora (small, share; big with
# CORPORA=...). Prints a markdown table: each command's mean for both builds and their ratio.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
other="$(cd "$1" && pwd)"
label="${2:-other}"
runs="${RUNS:-5}"
scratch="$repo/bench/.scratch/compare"
rm -rf "$scratch" && mkdir -p "$scratch"
bash "$repo/bench/hash/make-corpora.sh" >/dev/null
command -v hyperfine >/dev/null || { echo "compare-builds.sh: hyperfine is missing: apt-get install hyperfine" >&2; exit 2; }

this_cli="node $repo/packages/vigil/dist/cli.js"
other_cli="node $other/packages/vigil/dist/cli.js"

# name|command with VIGIL for the build and DIR for the corpus; PREPARE runs before each run.
cases=(
  "hash (blake3)||VIGIL hash -q DIR"
  "hash --algo sha256||VIGIL hash -q --algo sha256 DIR"
  "baseline (sha256)|rm -f OUT/db|VIGIL baseline --no-progress --algo sha256 --db OUT/db DIR"
  "check, no changes|test -f OUT/kept || VIGIL baseline --no-progress --algo sha256 --db OUT/kept DIR|VIGIL check --no-progress --db OUT/kept DIR"
  "first backup|rm -rf OUT/repo|VIGIL backup DIR --to OUT/repo --no-progress"
)

echo "| corpus | command | $label (s) | this (s) | this / $label |"
echo "| --- | --- | ---: | ---: | ---: |"
for corpus in ${CORPORA:-small share}; do
  dir="$repo/bench/.scratch/hash/$corpus"
  for entry in "${cases[@]}"; do
    IFS='|' read -r name prepare command <<<"$entry"
    means=()
    for build in other this; do
      cli=$([ "$build" = this ] && echo "$this_cli" || echo "$other_cli")
      out="$scratch/$build-$corpus"
      mkdir -p "$out"
      run="${command//VIGIL/$cli}"
      run="${run//DIR/$dir}"
      run="${run//OUT/$out}"
      prep="${prepare//VIGIL/$cli}"
      prep="${prep//DIR/$dir}"
      prep="${prep//OUT/$out}"
      hyperfine --style none --runs "$runs" --warmup 1 ${prep:+--prepare "$prep"} \
        --export-json "$scratch/result.json" "$run > /dev/null 2>&1" >/dev/null
      means+=("$(node -e 'console.log(require(process.argv[1]).results[0].mean.toFixed(3))' "$scratch/result.json")")
    done
    ratio=$(node -e 'console.log((process.argv[2] / process.argv[1]).toFixed(2))' "${means[0]}" "${means[1]}")
    echo "| $corpus | vigil $name | ${means[0]} | ${means[1]} | $ratio |"
  done
done
