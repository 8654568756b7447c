#!/usr/bin/env bash
# vigil backup into a repository on S3 vs into a local path, in one run on one machine: what
# the S3 path costs vigil. The server is s3rver (the devDependency the tests use) on a
# loopback port, its buckets under the scratch folder. A first backup of a copy of the
# /usr/share corpus, then a second after changing 1% of its files; the two targets alternate
# (local, s3, s3, local) so neither always runs on a warmer machine. Wall time, vigil's CPU
# time (user+sys, the server's excluded) and vigil's peak memory.
#
# No peer in this run: restic -r s3: cannot use s3rver (restic signs streamed uploads chunk by
# chunk, aws-chunked, which s3rver stores as it comes, chunk headers and all, so restic cannot
# read its own config back), and Debian packages no other S3 server. s3rver is a JavaScript
# server writing each object and its metadata to files: the S3 figures are a bound on what the
# network path costs, not a measure of S3 itself.
#
#   bash bench/hash/make-corpora.sh      # once: makes bench/.scratch/hash/share
#   npm run build && bash bench/backup/s3.sh
#
# Everything it writes is under bench/.scratch/s3 (gitignored) and is removed first.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
corpus_src="${CORPUS_SRC:-$here/bench/.scratch/hash/share}"  # CORPUS_SRC: another copy of the corpus
scratch="$here/bench/.scratch/s3"
[ -d "$corpus_src" ] || { echo "run bench/hash/make-corpora.sh first" >&2; exit 2; }

rm -rf "$scratch" && mkdir -p "$scratch/s3-data"
corpus="$scratch/share"
cp -a "$corpus_src" "$corpus"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# --openssl-legacy-provider: s3rver makes listing tokens with DES (test/s3-server.ts says more).
node --openssl-legacy-provider -e '
  const S3rver = require(process.argv[1]);
  new S3rver({ address: "127.0.0.1", port: Number(process.argv[2]), directory: process.argv[3], silent: true })
    .run().then(() => process.stdout.write("listening\n"));
' "$(cd "$here/packages/vigil" && node -p 'require.resolve("s3rver")')" "$port" "$scratch/s3-data" > "$scratch/server.log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true' EXIT
until grep -qs listening "$scratch/server.log"; do kill -0 $server_pid; sleep 0.1; done

export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION= AWS_REGION=
export VIGIL_PASSWORD=throwaway-bench-password
vigil=(node "$here/packages/vigil/dist/cli.js")
declare -A repo=([local]="$scratch/local" [s3]="s3:http://127.0.0.1:$port/vigil-bench/repo")
"${vigil[@]}" init "${repo[local]}" >/dev/null
"${vigil[@]}" init "${repo[s3]}" >/dev/null

# Warm the cache once, so the first target is not the one that pays for the disk.
find "$corpus" -type f -print0 | xargs -0 cat > /dev/null
declare -A wall cpu peak
measure() { # $1 = local or s3, $2 = 1 or 2
  local out="$scratch/time-$1-$2"
  sync
  /usr/bin/time -f '%e %U %S %M' -o "$out" "${vigil[@]}" backup "$corpus" --to "${repo[$1]}" --no-progress >/dev/null
  read -r w u s m < "$out"
  wall[$1$2]=$w cpu[$1$2]=$(echo "$u + $s" | bc) peak[$1$2]=$((m / 1024))
}
measure local 1
measure s3 1
files=$(find "$corpus" -type f | LC_ALL=C sort | awk 'NR % 100 == 0')
printf '%s\n' "$files" | while IFS= read -r f; do printf 'changed by bench/backup\n' >> "$f"; done
measure s3 2
measure local 2

# Restores, timed the same way; the S3 one must give the corpus back byte for byte.
restore() { # $1 = local or s3
  local out="$scratch/time-restore-$1"
  sync
  /usr/bin/time -f '%e %U %S %M' -o "$out" "${vigil[@]}" restore "${repo[$1]}" latest "$scratch/out-$1" >/dev/null
  read -r w u s m < "$out"
  wall[$1r]=$w cpu[$1r]=$(echo "$u + $s" | bc) peak[$1r]=$((m / 1024))
}
restore local
restore s3
diff -r --no-dereference "$corpus" "$scratch/out-s3$corpus" >/dev/null || { echo "vigil's restore from S3 differs from the corpus" >&2; exit 1; }

echo "corpus: $(find "$corpus" -type f | wc -l) files, $(du -sb "$corpus" | cut -f1) bytes; s3rver on loopback port $port"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), node $(node --version)"
echo
echo "| vigil into | run | wall (s) | CPU (s) | peak MB |"
echo "| --- | --- | ---: | ---: | ---: |"
for run in "1|first backup" "2|second backup" "r|restore"; do
  for target in local s3; do
    printf '| %s | %s | %.2f | %.2f | %d |\n' "$target" "${run#*|}" "${wall[$target${run%%|*}]}" \
      "${cpu[$target${run%%|*}]}" "${peak[$target${run%%|*}]}"
  done
done
echo
printf 's3 against local, wall: first backup %.2fx, second %.2fx, restore %.2fx\n' \
  "$(echo "${wall[s31]} / ${wall[local1]}" | bc -l)" "$(echo "${wall[s32]} / ${wall[local2]}" | bc -l)" \
  "$(echo "${wall[s3r]} / ${wall[localr]}" | bc -l)"
