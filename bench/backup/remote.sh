#!/usr/bin/env bash
# vigil backup into a repository over SFTP vs restic -r sftp:, in one run on one machine,
# both against Debian's OpenSSH server started here on a loopback port (a throwaway host key
# and user key; the real ~/.ssh is not read), and vigil into a local repository beside them:
# what the network path costs. A first backup of a copy of the /usr/share corpus, then a
# second after changing 1% of its files. Both tools compress (auto) and encrypt.
#
#   bash bench/hash/make-corpora.sh      # once: makes bench/.scratch/hash/share
#   npm run build && bash bench/backup/remote.sh
#
# Needs restic and openssh-server (apt-get install restic openssh-server); root, for sshd.
# Everything it writes is under bench/.scratch/remote (gitignored) and is removed first.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
corpus_src="${CORPUS_SRC:-$here/bench/.scratch/hash/share}"  # CORPUS_SRC: another checkout's copy
scratch="$here/bench/.scratch/remote"
[ -d "$corpus_src" ] || { echo "run bench/hash/make-corpora.sh first" >&2; exit 2; }
command -v restic >/dev/null && [ -x /usr/sbin/sshd ] || { echo "apt-get install restic openssh-server" >&2; exit 2; }

rm -rf "$scratch" && mkdir -p "$scratch"
corpus="$scratch/share"
cp -a "$corpus_src" "$corpus"
export HOME="$scratch/home" SSH_AUTH_SOCK=
source "$(dirname "$0")/sshd.sh"
start_sshd "$scratch"
export RESTIC_PASSWORD=throwaway-bench-password VIGIL_PASSWORD=throwaway-bench-password
vigil=(node "$here/packages/vigil/dist/cli.js")
vigil_sftp="sftp:root@127.0.0.1:$port:$scratch/server/vigil"
restic_sftp=(-r "sftp:root@127.0.0.1:$scratch/server/restic" -o "sftp.command=ssh -F /dev/null -i $HOME/.ssh/id_ed25519 -o UserKnownHostsFile=$HOME/.ssh/known_hosts -o IdentitiesOnly=yes -p $port root@127.0.0.1 -s sftp")
mkdir -p "$scratch/server"
"${vigil[@]}" init "$scratch/local" >/dev/null
"${vigil[@]}" init "$vigil_sftp" >/dev/null
restic init -q "${restic_sftp[@]}" >/dev/null

# Warm the cache once, so the first tool is not the one that pays for the disk.
find "$corpus" -type f -print0 | xargs -0 cat > /dev/null
seconds() { local t0 t1; sync; t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
peak_file="$scratch/peak-kb"
declare -A t
run_all() { # $1 = 1 or 2
  t[sftp$1]=$(sync; t0=$(date +%s.%N); /usr/bin/time -f %M -o "$peak_file" "${vigil[@]}" backup "$corpus" --to "$vigil_sftp" --no-progress >/dev/null; echo "$(date +%s.%N) - $t0" | bc)
  t[peak$1]=$(( $(cat "$peak_file") / 1024 ))
  t[restic$1]=$(seconds restic -q "${restic_sftp[@]}" backup "$corpus")
  t[local$1]=$(seconds "${vigil[@]}" backup "$corpus" --to "$scratch/local" --no-progress)
}
run_all 1
files=$(find "$corpus" -type f | LC_ALL=C sort | awk 'NR % 100 == 0')
printf '%s\n' "$files" | while IFS= read -r f; do printf 'changed by bench/backup\n' >> "$f"; done
run_all 2

# The SFTP repository restores byte for byte.
"${vigil[@]}" restore "$vigil_sftp" latest "$scratch/out" >/dev/null
diff -r --no-dereference "$corpus" "$scratch/out$corpus" >/dev/null || { echo "vigil's restore over SFTP differs from the corpus" >&2; exit 1; }

echo "corpus: $(find "$corpus" -type f | wc -l) files, $(du -sb "$corpus" | cut -f1) bytes; sshd on loopback port $port"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), node $(node --version), restic $(restic version | cut -d' ' -f2), $(/usr/sbin/sshd -V 2>&1 | head -1 || true)"
echo
echo "| run | first backup (s) | vs vigil sftp | second backup (s) | vs vigil sftp |"
echo "| --- | ---: | ---: | ---: | ---: |"
for row in "vigil, sftp:|sftp" "restic, sftp:|restic" "vigil, local path|local"; do
  name=${row%|*} key=${row#*|}
  printf '| %s | %.2f | %.2fx | %.2f | %.2fx |\n' "$name" "${t[${key}1]}" "$(echo "${t[${key}1]} / ${t[sftp1]}" | bc -l)" \
    "${t[${key}2]}" "$(echo "${t[${key}2]} / ${t[sftp2]}" | bc -l)"
done
echo
echo "vigil's peak memory into SFTP (max RSS, MB): first backup ${t[peak1]}, second backup ${t[peak2]}"
