#!/usr/bin/env bash
# vigil hash against its fastest peers, in alternating rounds (A B C ... A B C ...), so load
# from other work on a shared machine falls on every command alike. Prints, per command, the
# median wall time and median CPU time (user + sys) over the rounds. Uses the corpora of
# run.sh (bench/hash/make-corpora.sh) and a built vigil.
#   bash bench/hash/alternate.sh small        ROUNDS=7 bash bench/hash/alternate.sh share
# NODE=path runs vigil on another Node; BEFORE=DIR (another built checkout) adds its vigil's
# blake3 run to the rounds, to compare two builds under the same load.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
corpus="${1:?usage: alternate.sh big|share|small}"
dir="$repo/bench/.scratch/hash/$corpus"
rounds="${ROUNDS:-5}"
jobs="$(nproc)"
vigil="${NODE:-node} $repo/packages/vigil/dist/cli.js"
bash "$repo/bench/hash/make-corpora.sh" >/dev/null
commands=(
  "vigil hash (blake3)|$vigil hash -q ."
  "vigil hash (blake3 via @napi-rs/blake-hash)|VIGIL_NATIVE_BLAKE3=0 $vigil hash -q ."
  "vigil hash --algo sha256|$vigil hash -q --algo sha256 ."
  "b3sum|find . -type f -print0 | xargs -0 b3sum"
  "xargs -P$jobs b3sum|find . -type f -print0 | xargs -0 -P$jobs -n 512 b3sum"
  "rhash -r --sha256|rhash -r --sha256 ."
)
if [ -n "${BEFORE:-}" ]; then
  commands=("vigil hash (blake3), $BEFORE|${NODE:-node} $BEFORE/packages/vigil/dist/cli.js hash -q ." "${commands[@]}")
fi
times="$(mktemp)"
trap 'rm -f "$times"' EXIT
cd "$dir"
for entry in "${commands[@]}"; do sh -c "${entry#*|}" >/dev/null 2>&1 || true; done # warm the cache
for ((round = 0; round < rounds; round++)); do
  for i in "${!commands[@]}"; do
    entry="${commands[$i]}"
    # %e wall, %U user, %S sys (seconds)
    /usr/bin/time -f "$i %e %U %S" -a -o "$times" sh -c "${entry#*|} > /dev/null 2>&1" || true
  done
done
echo "$corpus: $rounds alternating rounds, medians (wall s, cpu s = user + sys), $(date -u +%FT%TZ)"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for i in "${!commands[@]}"; do
  entry="${commands[$i]}"
  wall=$(awk -v i="$i" '$1 == i { print $2 }' "$times" | median)
  cpu=$(awk -v i="$i" '$1 == i { print $3 + $4 }' "$times" | median)
  printf '%-48s wall %6.2f  cpu %6.2f\n' "${entry%%|*}" "$wall" "$cpu"
done
