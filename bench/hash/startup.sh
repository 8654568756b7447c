#!/usr/bin/env bash
# vigil hash's fixed cost, in alternating rounds: one small file (no worker is started for it)
# and a tree of 2,000 small files in 4 directories (workers started: pool/early-start.ts).
# Prints median wall and CPU (user + sys) times per command. NODE=path runs another Node;
# BEFORE=DIR (another built checkout) adds its vigil to the rounds.
#   bash bench/hash/startup.sh     ROUNDS=11 BEFORE=/tmp/old bash bench/hash/startup.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
tree="$repo/bench/.scratch/hash/start"
rounds="${ROUNDS:-11}"
node="${NODE:-node}"
if [ ! -f "$tree.done" ]; then
  rm -rf "$tree"
  for d in a b c d; do
    mkdir -p "$tree/$d"
    for i in $(seq 1 500); do echo "$d $i" > "$tree/$d/f$i"; done
  done
  touch "$tree.done"
fi
builds=("this|$repo")
[ -n "${BEFORE:-}" ] && builds+=("before|$BEFORE")
commands=("node -e 0|$node -e 0")
for build in "${builds[@]}"; do
  cli="${build#*|}/packages/vigil/dist/cli.js"
  commands+=("vigil hash /etc/hostname (${build%%|*})|$node $cli hash /etc/hostname")
  commands+=("vigil hash -q 2000-file tree (${build%%|*})|$node $cli hash -q $tree")
done
times="$(mktemp)"
trap 'rm -f "$times"' EXIT
for entry in "${commands[@]}"; do sh -c "${entry#*|}" >/dev/null 2>&1 || true; done # warm the cache
for ((round = 0; round < rounds; round++)); do
  for i in "${!commands[@]}"; do
    entry="${commands[$i]}"
    /usr/bin/time -f "$i %e %U %S" -a -o "$times" sh -c "${entry#*|} > /dev/null 2>&1" || true
  done
done
echo "$rounds alternating rounds, medians (wall s, cpu s = user + sys), $("$node" --version), $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for i in "${!commands[@]}"; do
  entry="${commands[$i]}"
  wall=$(awk -v i="$i" '$1 == i { print $2 }' "$times" | median)
  cpu=$(awk -v i="$i" '$1 == i { print $3 + $4 }' "$times" | median)
  printf '%-48s wall %6.2f  cpu %6.2f\n' "${entry%%|*}" "$wall" "$cpu"
done
