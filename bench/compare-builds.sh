#!/usr/bin/env bash
# Two builds of vigil doing the same work in alternating rounds (A B A B ...), so load from other
# work on a shared machine falls on both alike: for a change that must not make vigil slower.
#   ROUNDS=5 CORPORA="small share" ONLY=check bash bench/compare-builds.sh OTHER_CHECKOUT [LABEL]
# (ONLY: run just the cases whose name holds that text)
# OTHER_CHECKOUT is a built checkout (npm ci && npm run build), e.g. a `git worktree` at the
# commit to compare with; this checkout is "this". The work: hashing (blake3, sha256), a
# baseline, a check with no changes and a first backup, on bench/hash's corpora. Prints a
# markdown table: median wall and CPU (user + sys) time of each build and the ratios this/other.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
other="$(cd "${1:?usage: compare-builds.sh OTHER_CHECKOUT [LABEL]}" && pwd)"
label="${2:-other}"
rounds="${ROUNDS:-5}"
scratch="$repo/bench/.scratch/compare"
rm -rf "$scratch" && mkdir -p "$scratch"
bash "$repo/bench/hash/make-corpora.sh" >/dev/null
times="$scratch/times"

# name#prepare (before each run, not timed)#command; VIGIL is the build's CLI, DIR the corpus,
# OUT a scratch folder of the build's own.
cases=(
  "hash (blake3)##VIGIL hash -q DIR"
  "hash --algo sha256##VIGIL hash -q --algo sha256 DIR"
  "baseline (sha256)#rm -f OUT/db#VIGIL baseline --no-progress --algo sha256 --db OUT/db DIR"
  "check, no changes#test -f OUT/kept || VIGIL baseline --no-progress --algo sha256 --db OUT/kept DIR#VIGIL check --no-progress --db OUT/kept DIR"
  "first backup#rm -rf OUT/repo#VIGIL backup DIR --to OUT/repo --no-progress"
)
builds=("$other" "$repo")

# Fills in a case's template for build i on a corpus.
expand() {
  local template=$1 i=$2 corpus=$3
  local text="${template//VIGIL/node ${builds[$i]}/packages/vigil/dist/cli.js}"
  text="${text//DIR/$repo/bench/.scratch/hash/$corpus}"
  echo "${text//OUT/$scratch/$i-$corpus}"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "$rounds alternating rounds, medians; $(date -u +%FT%TZ); $(nproc) cores, Node $(node --version)"
echo
echo "| corpus | vigil command | $label wall (s) | this wall (s) | wall this/$label | cpu this/$label |"
echo "| --- | --- | ---: | ---: | ---: | ---: |"
for corpus in ${CORPORA:-small share}; do
  mkdir -p "$scratch/0-$corpus" "$scratch/1-$corpus"
  for entry in "${cases[@]}"; do
    IFS='#' read -r name prepare command <<<"$entry"
    [[ "$name" == *"${ONLY:-}"* ]] || continue
    : >"$times"
    for ((round = -1; round < rounds; round++)); do # round -1 warms the cache and is not counted
      for i in 0 1; do
        [ -z "$prepare" ] || sh -c "$(expand "$prepare" "$i" "$corpus")" >/dev/null 2>&1
        # %e wall, %U user, %S sys (seconds)
        /usr/bin/time -f "$i $round %e %U %S" -a -o "$times" sh -c "$(expand "$command" "$i" "$corpus")" >/dev/null 2>&1
      done
    done
    for i in 0 1; do
      wall[i]=$(awk -v i="$i" '$1 == i && $2 >= 0 { print $3 }' "$times" | median)
      cpu[i]=$(awk -v i="$i" '$1 == i && $2 >= 0 { print $4 + $5 }' "$times" | median)
    done
    printf '| %s | %s | %.2f | %.2f | %.2f | %.2f |\n' "$corpus" "$name" "${wall[0]}" "${wall[1]}" \
      "$(echo "${wall[1]} / ${wall[0]}" | bc -l)" "$(echo "${cpu[1]} / ${cpu[0]}" | bc -l)"
  done
done
