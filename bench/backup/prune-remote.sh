#!/usr/bin/env bash
# forget + prune and verify on remote repositories: two builds of vigil (BEFORE=path/to/cli.js,
# and this checkout's) in alternating rounds, on the same repository laid anew each round, in a
# bucket of s3rver and a folder over SFTP (Debian's sshd) on loopback, and a local path.
#
# The repository is a rotation's: ROUNDS_MADE (default 40) backups of the copy of /usr/share/doc
# from the corpus, each after appending a line to 1% of its files and replacing a 256 KiB file
# of random bytes, so every run adds packs and an index file. `forget --keep-last 1` then removes
# 39 snapshots and prunes: it reads every snapshot and index file, walks the kept snapshot's
# trees, repacks what is partly used, writes one index and removes the old index files and the
# unused packs. `verify` (structure only) reads the index, lists the packs and walks the trees.
#
#   bash bench/hash/make-corpora.sh      # once: makes bench/.scratch/hash/share
#   npm run build && BEFORE=/path/to/other/packages/vigil/dist/cli.js bash bench/backup/prune-remote.sh
#
# Prints median wall and CPU (vigil's user+sys; the servers' excluded) of each build per target.
# Everything it writes is under bench/.scratch/prune-remote (gitignored) and is removed first.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
corpus_src="${CORPUS_SRC:-$here/bench/.scratch/hash/share}/doc"
scratch="$here/bench/.scratch/prune-remote"
rounds="${ROUNDS:-3}"
made="${ROUNDS_MADE:-40}"
before="${BEFORE:?set BEFORE to the other build\'s packages/vigil/dist/cli.js}"
after="$here/packages/vigil/dist/cli.js"
[ -d "$corpus_src" ] || { echo "run bench/hash/make-corpora.sh first" >&2; exit 2; }

rm -rf "$scratch" && mkdir -p "$scratch/s3-data" "$scratch/sshd" "$scratch/home"
export HOME="$scratch/home"
# shellcheck source=bench/backup/sshd.sh
source "$here/bench/backup/sshd.sh"
start_sshd "$scratch/sshd"
s3port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# --openssl-legacy-provider: s3rver makes listing tokens with DES (test/s3-server.ts says more).
node --openssl-legacy-provider -e '
  const S3rver = require(process.argv[1]);
  new S3rver({ address: "127.0.0.1", port: Number(process.argv[2]), directory: process.argv[3], silent: true })
    .run().then(() => process.stdout.write("listening\n"));
' "$(cd "$here/packages/vigil" && node -p 'require.resolve("s3rver")')" "$s3port" "$scratch/s3-data" > "$scratch/s3.log" 2>&1 &
s3_pid=$!
trap 'kill $sshd_pid $s3_pid 2>/dev/null || true' EXIT
until grep -qs listening "$scratch/s3.log"; do kill -0 $s3_pid; sleep 0.1; done
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION= AWS_REGION=
export VIGIL_PASSWORD=throwaway-bench-password

# The repository, made once on S3 (so its objects are s3rver's own) and copied for each round:
# s3rver keeps a bucket as a folder of files, and over SFTP and locally the repository is a folder.
src="$scratch/doc"
cp -a "$corpus_src" "$src"
template_s3="s3:http://127.0.0.1:$s3port/template"
node "$after" init "$template_s3" >/dev/null
mapfile -t files < <(find "$src" -type f | LC_ALL=C sort)
for ((i = 0; i < made; i++)); do
  for ((f = i; f < ${#files[@]}; f += 100)); do printf 'round %d\n' "$i" >> "${files[$f]}"; done
  head -c 262144 /dev/urandom > "$src/random"
  node "$after" backup "$src" --to "$template_s3" --no-progress >/dev/null
done
bucket="$scratch/s3-data/template"
echo "repository: $made snapshots, $(find "$bucket/data" -name '*._S3rver_object' | wc -l) packs," \
  "$(find "$bucket/index" -name '*._S3rver_object' | wc -l) index files"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
times="$scratch/times"
: > "$times"
# The local and SFTP repositories are made by restoring the S3 template's files as they are:
# a plain download of every object into a folder keeps packs and index files identical.
mkdir -p "$scratch/plain"
(cd "$here/packages/vigil" && node --input-type=module -e '
  import { S3Client, ListObjectsV2Command, GetObjectCommand } from "@aws-sdk/client-s3";
  import { mkdirSync, writeFileSync } from "node:fs";
  import { dirname, join } from "node:path";
  const [endpoint, out] = process.argv.slice(1);
  const s3 = new S3Client({ endpoint, forcePathStyle: true, region: "us-east-1" });
  let token;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: "template", ContinuationToken: token }));
    for (const { Key } of page.Contents ?? []) {
      const body = await (await s3.send(new GetObjectCommand({ Bucket: "template", Key }))).Body.transformToByteArray();
      mkdirSync(dirname(join(out, Key)), { recursive: true });
      writeFileSync(join(out, Key), body);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  s3.destroy();
' "http://127.0.0.1:$s3port" "$scratch/plain")
location() { # $1 = target: lays a fresh copy of the template and prints where it is
  case $1 in
    local) rm -rf "$scratch/local-repo" && cp -a "$scratch/plain" "$scratch/local-repo" && echo "$scratch/local-repo" ;;
    sftp) rm -rf "$scratch/sftp-repo" && cp -a "$scratch/plain" "$scratch/sftp-repo" && echo "sftp:127.0.0.1:$port:$scratch/sftp-repo" ;;
    s3) rm -rf "$scratch/s3-data/round" && cp -a "$bucket" "$scratch/s3-data/round" && echo "s3:http://127.0.0.1:$s3port/round" ;;
  esac
}
measure() { # $1 = build label, $2 = cli, $3 = target
  local repo out
  repo=$(location "$3")
  for step in forget verify; do
    out="$scratch/time"
    sync
    if [ $step = forget ]; then
      /usr/bin/time -f '%e %U %S' -o "$out" node "$2" forget "$repo" --keep-last 1 >/dev/null
    else
      /usr/bin/time -f '%e %U %S' -o "$out" node "$2" verify "$repo" >/dev/null
    fi
    read -r w u s < "$out"
    echo "$1 $3 $step $w $(echo "$u + $s" | bc)" >> "$times"
  done
}
for ((r = 0; r < rounds; r++)); do
  for target in s3 sftp local; do
    if ((r % 2 == 0)); then measure before "$before" $target; measure after "$after" $target
    else measure after "$after" $target; measure before "$before" $target; fi
  done
done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), node $(node --version), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| repository | command | before: wall (s) | before: CPU (s) | after: wall (s) | after: CPU (s) | wall after/before |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
for target in s3 sftp local; do
  for step in forget verify; do
    bw=$(awk -v t=$target -v s=$step '$1 == "before" && $2 == t && $3 == s { print $4 }' "$times" | median)
    bc_=$(awk -v t=$target -v s=$step '$1 == "before" && $2 == t && $3 == s { print $5 }' "$times" | median)
    aw=$(awk -v t=$target -v s=$step '$1 == "after" && $2 == t && $3 == s { print $4 }' "$times" | median)
    ac=$(awk -v t=$target -v s=$step '$1 == "after" && $2 == t && $3 == s { print $5 }' "$times" | median)
    label=$step; [ $step = forget ] && label='forget --keep-last 1 (prune)'
    printf '| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f |\n' $target "$label" "$bw" "$bc_" "$aw" "$ac" \
      "$(echo "$aw / $bw" | bc -l)"
  done
done
