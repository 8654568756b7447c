#!/usr/bin/env bash
# Two builds of vigil hashing the same tree, in alternating rounds (A B A B ...), so load from
# other work on a shared machine falls on both alike: for a change that must not make hashing
# slower. A build is a copy of packages/vigil's dist/, build/Release/vigil_native.node and
# package.json in a directory below the repository (so that node_modules resolves), e.g.
#   d=bench/.scratch/vigil-before; mkdir -p $d/build/Release
#   cp -r packages/vigil/dist packages/vigil/package.json $d/ && cp packages/vigil/build/Release/vigil_native.node $d/build/Release/
# Prints per algorithm and build the median wall time and median CPU time (user + sys).
#   ROUNDS=7 bash bench/hash/compare-builds.sh TREE BUILD_A BUILD_B
set -euo pipefail
tree="${1:?usage: compare-builds.sh TREE BUILD_A BUILD_B}"
builds=("${2:?}" "${3:?}")
rounds="${ROUNDS:-7}"
times="$(mktemp)"
trap 'rm -f "$times"' EXIT
cd "$tree"
for build in "${builds[@]}"; do for algo in sha256 blake3; do node "$build/dist/cli.js" hash -q --algo "$algo" . >/dev/null; done; done
for ((round = 0; round < rounds; round++)); do
  for algo in sha256 blake3; do
    for i in 0 1; do
      # %e wall, %U user, %S sys (seconds)
      /usr/bin/time -f "$i $algo %e %U %S" -a -o "$times" node "${builds[$i]}/dist/cli.js" hash -q --algo "$algo" . >/dev/null
    done
  done
done
echo "$(find . -type f | wc -l) files, $rounds alternating rounds, medians, $(date -u +%FT%TZ)"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for algo in sha256 blake3; do
  for i in 0 1; do
    wall=$(awk -v i="$i" -v a="$algo" '$1 == i && $2 == a { print $3 }' "$times" | median)
    cpu=$(awk -v i="$i" -v a="$algo" '$1 == i && $2 == a { print $4 + $5 }' "$times" | median)
    printf '%-7s %-40s wall %6.2f  cpu %6.2f\n' "$algo" "${builds[$i]}" "$wall" "$cpu"
  done
done
