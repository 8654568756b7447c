#!/usr/bin/env bash
# The first backup alone, repeated: vigil into a repository over SFTP (Debian's sshd on a
# loopback port, sshd.sh) and into a local path, and restic -r sftp:, a fresh repository each
# run, the three alternating round by round; wall, CPU (user+sys) and peak RSS of each.
#
#   bash bench/hash/make-corpora.sh      # once: makes bench/.scratch/hash/share
#   npm run build && ROUNDS=3 bash bench/backup/first-sftp.sh
#   BUILDS="old=/other/checkout new=." ...     # vigil builds to alternate (default: this=.)
#
# Needs restic and openssh-server; root, for sshd. Writes under bench/.scratch/first-sftp.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
corpus="${CORPUS_SRC:-$here/bench/.scratch/hash/share}"
scratch="$here/bench/.scratch/first-sftp"
rounds=${ROUNDS:-3}
[ -d "$corpus" ] || { echo "run bench/hash/make-corpora.sh first" >&2; exit 2; }
command -v restic >/dev/null || { echo "apt-get install restic" >&2; exit 2; }
rm -rf "$scratch" && mkdir -p "$scratch/home/.ssh" "$scratch/server"
export HOME="$scratch/home" SSH_AUTH_SOCK= XDG_CACHE_HOME=
export RESTIC_PASSWORD=throwaway-bench-password VIGIL_PASSWORD=throwaway-bench-password
source "$(dirname "$0")/sshd.sh"
start_sshd "$scratch"
printf -v ssh_command 'ssh -F /dev/null -i %s -o UserKnownHostsFile=%s -o IdentitiesOnly=yes -p %s root@127.0.0.1 -s sftp' \
  "$HOME/.ssh/id_ed25519" "$HOME/.ssh/known_hosts" "$port"
find "$corpus" -type f -print0 | xargs -0 cat > /dev/null
echo "corpus: $(find "$corpus" -type f | wc -l) files; machine: $(nproc) cores, node $(node --version), restic $(restic version | cut -d' ' -f2); load $(cut -d' ' -f1-3 /proc/loadavg)"
read -r -a builds <<< "${BUILDS:-this=.}"
for round in $(seq "$rounds"); do
  for run in "${builds[@]/#/sftp:}" "${builds[@]/#/local:}" restic; do
    rm -rf "$scratch/server/repo" "$HOME/.cache"; sync
    case $run in
      restic)
        restic -q -r "sftp:root@127.0.0.1:$scratch/server/repo" -o "sftp.command=$ssh_command" init >/dev/null
        cmd=(restic -q -r "sftp:root@127.0.0.1:$scratch/server/repo" -o "sftp.command=$ssh_command" backup "$corpus") ;;
      sftp:*)
        build=${run#sftp:}
        cmd=(node "${build#*=}/packages/vigil/dist/cli.js" backup "$corpus" --no-progress
          --to "sftp:root@127.0.0.1:$port:$scratch/server/repo") ;;
      local:*)
        build=${run#local:}
        cmd=(node "${build#*=}/packages/vigil/dist/cli.js" backup "$corpus" --no-progress --to "$scratch/server/repo") ;;
    esac
    /usr/bin/time -f "round $round $run: %e s wall, %U user, %S sys, %M KB peak" "${cmd[@]}" >/dev/null 2>"$scratch/err" ||
      { cat "$scratch/err" >&2; exit 1; }
    tail -1 "$scratch/err"
  done
done
