#!/usr/bin/env bash
# The second backup alone, repeated: vigil vs restic into a local repository and into one over
# SFTP (Debian's sshd on a loopback port), wall and CPU time (user+sys) of each, in alternating
# rounds. Set-up (untimed): a copy of the /usr/share corpus, a first backup by each tool into
# each repository, then 1% of the files changed (a line appended to every 100th file). The
# repositories and the tools' caches (~/.cache/restic, ~/.cache/vigil) are saved right after
# the first backup and put back before every timed run, so each round is the same second
# backup (parent = the first snapshot, 1% changed) with the cache a nightly run would have.
#
#   bash bench/hash/make-corpora.sh      # once: makes bench/.scratch/hash/share
#   npm run build && ROUNDS=3 bash bench/backup/second.sh
#   VIGIL_CLI=/other/checkout/packages/vigil/dist/cli.js ...   # another build, same repositories
#   LOCAL_ONLY=1 ...                                           # skip SFTP
#
# Needs restic and openssh-server; root, for sshd. Writes under bench/.scratch/second.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
corpus_src="${CORPUS_SRC:-$here/bench/.scratch/hash/share}"
scratch="$here/bench/.scratch/second"
rounds=${ROUNDS:-3}
[ -d "$corpus_src" ] || { echo "run bench/hash/make-corpora.sh first" >&2; exit 2; }
command -v restic >/dev/null || { echo "apt-get install restic" >&2; exit 2; }
sftp=$([ -z "${LOCAL_ONLY:-}" ] && echo 1 || echo)

rm -rf "$scratch" && mkdir -p "$scratch/home/.ssh" "$scratch/server"
corpus="$scratch/share"
cp -a "$corpus_src" "$corpus"
export HOME="$scratch/home" SSH_AUTH_SOCK= XDG_CACHE_HOME=
export RESTIC_PASSWORD=throwaway-bench-password VIGIL_PASSWORD=throwaway-bench-password
vigil=(node "${VIGIL_CLI:-$here/packages/vigil/dist/cli.js}")

declare -A repo_vigil repo_restic
repo_vigil[local]="$scratch/server/vigil-local"
repo_restic[local]="-r $scratch/server/restic-local"
kinds=(local)
if [ -n "$sftp" ]; then
  source "$(dirname "$0")/sshd.sh"
  start_sshd "$scratch"
  repo_vigil[sftp]="sftp:root@127.0.0.1:$port:$scratch/server/vigil-sftp"
  printf -v ssh_command 'ssh -F /dev/null -i %s -o UserKnownHostsFile=%s -o IdentitiesOnly=yes -p %s root@127.0.0.1 -s sftp' \
    "$HOME/.ssh/id_ed25519" "$HOME/.ssh/known_hosts" "$port"
  kinds+=(sftp)
fi
# restic's command line for a repository kind, into the named array.
restic_cmd() { # $1 = local|sftp, $2 = array name
  local -n out=$2
  if [ "$1" = local ]; then out=(restic -q -r "$scratch/server/restic-local")
  else out=(restic -q -r "sftp:root@127.0.0.1:$scratch/server/restic-sftp" -o "sftp.command=$ssh_command"); fi
}
run_restic() { local cmd; restic_cmd "$1" cmd; shift; "${cmd[@]}" "$@"; }

# Warm the cache once, before the first backup (as run.sh does): find lists every directory,
# which moves its atime (relatime), and a directory's atime is recorded: after the first
# backup it would make every directory look changed.
find "$corpus" -type f -print0 | xargs -0 cat > /dev/null
for kind in "${kinds[@]}"; do
  "${vigil[@]}" init "${repo_vigil[$kind]}" >/dev/null
  run_restic "$kind" init >/dev/null
  "${vigil[@]}" backup "$corpus" --to "${repo_vigil[$kind]}" --no-progress >/dev/null
  run_restic "$kind" backup "$corpus" >/dev/null
done
mkdir -p "$HOME/.cache"
cp -a "$scratch/server" "$scratch/server.saved"
cp -a "$HOME/.cache" "$scratch/cache.saved"
files=$(find "$corpus" -type f | LC_ALL=C sort | awk 'NR % 100 == 0')
printf '%s\n' "$files" | while IFS= read -r f; do printf 'changed by bench/backup\n' >> "$f"; done

put_back() {
  rm -rf "$scratch/server" "$HOME/.cache"
  cp -a "$scratch/server.saved" "$scratch/server"
  cp -a "$scratch/cache.saved" "$HOME/.cache"
  sync
}
# "wall user sys" of the command.
timed() { /usr/bin/time -f '%e %U %S' -o "$scratch/time" "$@" >/dev/null; cat "$scratch/time"; }
declare -A wall cpu
for round in $(seq "$rounds"); do
  for kind in "${kinds[@]}"; do
    # Alternate which tool goes first, round by round.
    order=(vigil restic); [ $((round % 2)) = 0 ] && order=(restic vigil)
    for tool in "${order[@]}"; do
      put_back
      if [ "$tool" = vigil ]; then cmd=("${vigil[@]}" backup "$corpus" --to "${repo_vigil[$kind]}" --no-progress)
      else restic_cmd "$kind" cmd; cmd+=(backup "$corpus"); fi
      read -r w u s < <(timed "${cmd[@]}")
      wall[$tool-$kind]+=" $w"
      cpu[$tool-$kind]+=" $(echo "$u + $s" | bc)"
    done
  done
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo "corpus: $(find "$corpus" -type f | wc -l) files, $(du -sb "$corpus" | cut -f1) bytes; changed $(printf '%s\n' "$files" | wc -l) files"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), node $(node --version), restic $(restic version | cut -d' ' -f2); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| repository | tool | second backup, median of $rounds (s) | runs (s) | CPU user+sys, median (s) | runs (s) | restic / vigil (wall) | (CPU) |"
echo "| --- | --- | ---: | --- | ---: | --- | ---: | ---: |"
for kind in "${kinds[@]}"; do
  vw=$(median ${wall[vigil-$kind]}) vc=$(median ${cpu[vigil-$kind]})
  for tool in vigil restic; do
    w=$(median ${wall[$tool-$kind]}) c=$(median ${cpu[$tool-$kind]})
    printf '| %s | %s | %.2f | %s | %.2f | %s | %.2fx | %.2fx |\n' "$kind" "$tool" "$w" "${wall[$tool-$kind]# }" "$c" "${cpu[$tool-$kind]# }" \
      "$(echo "$w / $vw" | bc -l)" "$(echo "$c / $vc" | bc -l)"
  done
done
