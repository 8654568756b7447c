#!/usr/bin/env bash
# Restore only: vigil (one or more builds) against `restic restore`, alternating in rounds,
# each restore into a fresh ext4 (a loop mount; see run.sh for why fresh). The repositories
# (both compressed and encrypted, as run.sh makes them) are made once from a copy of the
# /usr/share corpus and kept under bench/.scratch/restore for later runs (RESTORE_FRESH=1
# makes them again). Needs root (mount -o loop) and restic.
#
#   bash bench/backup/restore.sh [NAME=BUILD_ROOT ...]    # default: this=. (this checkout)
#   ROUNDS=5 bash bench/backup/restore.sh old=/tmp/old-build new=.
#   RESTIC=0 bash bench/backup/restore.sh a=/tmp/a b=/tmp/b      # builds only (peak memory A/B)
#
# Prints a line per run (wall s, user s, sys s, max RSS KB; restic's too), then medians.
# The first vigil restore of each build is compared with the corpus (diff -r).
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
corpus_src="${CORPUS:-$here/bench/.scratch/hash/share}"
scratch="$here/bench/.scratch/restore"
rounds=${ROUNDS:-3}
[ "$(id -u)" = 0 ] || { echo "restore.sh needs root for its loop mounts" >&2; exit 2; }
command -v restic >/dev/null || { echo "apt-get install restic" >&2; exit 2; }
builds=("$@")
peers=(restic)
[ "${RESTIC:-1}" = 1 ] || peers=()
[ ${#builds[@]} -gt 0 ] || builds=("this=$here")
export RESTIC_PASSWORD=throwaway-bench-password VIGIL_PASSWORD=throwaway-bench-password

for m in "$scratch"/out-*; do mountpoint -q "$m" 2>/dev/null && umount "$m"; done
rm -rf "$scratch"/out-*
corpus="$scratch/share"
if [ "${RESTORE_FRESH:-0}" = 1 ] || [ ! -f "$scratch/made" ]; then
  [ -d "$corpus_src" ] || { echo "run bench/hash/make-corpora.sh first (or set CORPUS)" >&2; exit 2; }
  rm -rf "$scratch" && mkdir -p "$scratch"
  cp -a "$corpus_src" "$corpus"
  first=${builds[0]#*=}
  node "$first/packages/vigil/dist/cli.js" init "$scratch/vigil" >/dev/null
  node "$first/packages/vigil/dist/cli.js" backup "$corpus" --to "$scratch/vigil" --no-progress >/dev/null
  restic init -q -r "$scratch/restic" >/dev/null
  restic -q -r "$scratch/restic" backup "$corpus" >/dev/null
  touch "$scratch/made"
fi

times="$scratch/time"
# Prints "wall user sys maxrss_kb" of one command (sync first, untimed).
measure() {
  local t0 t1
  sync
  t0=$(date +%s.%N)
  /usr/bin/time -f '%U %S %M' -o "$times" "$@" >/dev/null
  t1=$(date +%s.%N)
  echo "$(echo "$t1 - $t0" | bc) $(tail -1 "$times")"
}
fresh_fs() { # $1 = name: a fresh ext4 mounted at $scratch/$1
  local image="$scratch/$1.img" mount="$scratch/$1"
  mkdir -p "$mount"
  truncate -s 3G "$image" && mkfs.ext4 -q -F "$image" && mount -o loop "$image" "$mount"
  echo "$mount"
}
drop_fs() { umount "$1"; rm -rf "$1" "$1.img"; }

declare -A runs
for round in $(seq "$rounds"); do
  for build in "${builds[@]}" "${peers[@]}"; do
    name=${build%%=*}
    out=$(fresh_fs "out-$name")
    if [ "$name" = restic ]; then
      line=$(measure restic -q -r "$scratch/restic" restore latest --target "$out")
    else
      line=$(measure node "${build#*=}/packages/vigil/dist/cli.js" restore "$scratch/vigil" latest "$out")
      if [ "$round" = 1 ]; then
        diff -r --no-dereference "$corpus" "$out$corpus" >/dev/null || { echo "$name's restore differs from the corpus" >&2; exit 1; }
      fi
    fi
    echo "round $round $name wall,user,sys,maxrss_kb $line"
    runs[$name]+="$line"$'\n'
    drop_fs "$out"
  done
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo
echo "| tool | wall median (s) | CPU user+sys median (s) | peak RSS median (MiB) | walls (s) |"
echo "| --- | ---: | ---: | ---: | --- |"
for build in "${builds[@]}" "${peers[@]}"; do
  name=${build%%=*}
  data=$(printf '%s' "${runs[$name]}" | sed '/^$/d')
  wall=$(echo "$data" | awk '{print $1}' | median)
  cpu=$(echo "$data" | awk '{print $2 + $3}' | median)
  rss=$(echo "$data" | awk '{print $4 / 1024}' | median)
  printf '| %s | %.2f | %.2f | %.0f | %s |\n' "$name" "$wall" "$cpu" "$rss" "$(echo "$data" | awk '{printf "%s ", $1}')"
done
