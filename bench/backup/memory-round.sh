#!/usr/bin/env bash
# One round of issue 18's peak-memory measurement for one build of vigil: a first backup of
# CORPUS into a fresh repository, a line appended to every 100th file, a second backup, then a
# restore of the latest snapshot into a fresh ext4 (a loop mount: needs root; see run.sh for
# why fresh). Prints per command: wall seconds, user and system CPU seconds, max RSS (KB) of
# the vigil process, worker threads included. Alternate builds in rounds (the machine is
# shared): e.g. with a copy of an older build's packages/ under OLD/,
#
#   for r in 1 2 3; do bash bench/backup/memory-round.sh old OLD $C; bash bench/backup/memory-round.sh new . $C; done
#
# CORPUS is changed in place (a copy: `cp -a bench/.scratch/hash/share DIR`, never the original).
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: memory-round.sh NAME BUILD_ROOT CORPUS" >&2; exit 2; }
name=$1 root=$(cd "$2" && pwd) corpus=$(cd "$3" && pwd)
scratch="$(cd "$(dirname "$0")/../.." && pwd)/bench/.scratch/memory"
mkdir -p "$scratch"
export VIGIL_PASSWORD=throwaway-bench-password
cli="$root/packages/vigil/dist/cli.js"
repo="$scratch/repo-$name" times="$scratch/time-$name"
# A cache of its own, empty at the start of each round: the first backup is a first one.
export XDG_CACHE_HOME="$scratch/cache-$name"
rm -rf "$repo" "$XDG_CACHE_HOME"
node "$cli" init "$repo" >/dev/null
run() {
  local what=$1 t0 t1
  shift
  sync
  t0=$(date +%s.%N)
  /usr/bin/time -f '%U %S %M' -o "$times" "$@" >/dev/null
  t1=$(date +%s.%N)
  echo "$name $what wall $(echo "$t1 - $t0" | bc) user,sys,maxrss_kb $(cat "$times")"
}
run backup1 node "$cli" backup "$corpus" --to "$repo" --no-progress
find "$corpus" -type f | LC_ALL=C sort | awk 'NR % 100 == 0' | while IFS= read -r f; do printf 'changed\n' >>"$f"; done
run backup2 node "$cli" backup "$corpus" --to "$repo" --no-progress
image="$scratch/out-$name.img" out="$scratch/out-$name"
mkdir -p "$out"
truncate -s 3G "$image" && mkfs.ext4 -q -F "$image" && mount -o loop "$image" "$out"
run restore node "$cli" restore "$repo" latest "$out"
umount "$out"
rm -rf "$out" "$image" "$repo" "$XDG_CACHE_HOME"
