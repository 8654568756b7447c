#!/usr/bin/env bash
# Where the SFTP path costs over a local repository in vigil's second backup: the same second
# backup as bench/backup/second.sh (run it first: this reuses its corpus, with 1% of the files
# changed, and the repositories its first backups left) into the local repository and into the
# SFTP one, alternating, each under `node --cpu-prof`, wall and CPU (user+sys) beside it. Then
# each run's main-thread profile summed by where the code lives (profile-summary.mjs).
#
#   ROUNDS=3 bash bench/backup/second.sh && ROUNDS=2 bash bench/backup/second-profile.sh
#   VIGIL_CLI=/other/checkout/packages/vigil/dist/cli.js ...   # another build
#
# Profiles land in bench/.scratch/second/profiles/<kind>-<round>/ (every thread's: the main
# thread's file has thread id 0 in its name).
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
scratch="$here/bench/.scratch/second"
rounds=${ROUNDS:-2}
[ -d "$scratch/server.saved" ] || { echo "run bench/backup/second.sh first (its saved repositories are reused)" >&2; exit 2; }
out="$scratch/profiles"
rm -rf "$out" "$scratch/profile-home" "$scratch/profile-sshd"
mkdir -p "$out" "$scratch/profile-home" "$scratch/profile-sshd"
export HOME="$scratch/profile-home" SSH_AUTH_SOCK= XDG_CACHE_HOME=
export VIGIL_PASSWORD=throwaway-bench-password
cli="${VIGIL_CLI:-$here/packages/vigil/dist/cli.js}"
source "$(dirname "$0")/sshd.sh"
start_sshd "$scratch/profile-sshd"
declare -A repo=([local]="$scratch/server/vigil-local" [sftp]="sftp:root@127.0.0.1:$port:$scratch/server/vigil-sftp")

for round in $(seq "$rounds"); do
  order=(local sftp); [ $((round % 2)) = 0 ] && order=(sftp local)
  for kind in "${order[@]}"; do
    rm -rf "$scratch/server" && cp -a "$scratch/server.saved" "$scratch/server" && sync
    /usr/bin/time -f '%e %U %S' -o "$out/time" node --cpu-prof --cpu-prof-dir="$out/$kind-$round" "$cli" \
      backup "$scratch/share" --to "${repo[$kind]}" --no-progress >/dev/null
    read -r w u s < "$out/time"
    echo "$kind round $round: wall $w s, CPU $(echo "$u + $s" | bc) s (user $u, sys $s); load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
for dir in "$out"/*-*/; do
  main=$(ls "$dir" | awk -F. '$5 == 0' | head -1)
  echo
  node "$here/bench/backup/profile-summary.mjs" "$dir$main" "${TOP:-15}"
done
