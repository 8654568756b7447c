#!/usr/bin/env bash
# vigil baseline / check against aide and hashdeep, on the vigil hash corpora (share: a copy
# of /usr/share; small: 200k files of 1-8 KiB), all in one run so ratios share conditions.
#   npm run bench:check   (makes the corpora, runs this, and puts the table in docs/benchmarks.md)
# Needs aide and hashdeep (apt-get install aide hashdeep). Scratch under bench/.scratch/check.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
corpora="$repo/bench/.scratch/hash"
scratch="$repo/bench/.scratch/check"
vigil="node $repo/packages/vigil/dist/cli.js"
mkdir -p "$scratch"
for c in share small; do [ -f "$corpora/$c.done" ] || { echo "run bench/hash/make-corpora.sh first" >&2; exit 2; }; done

# measure NAME RUNS CMD...: best wall time of RUNS runs and the peak RSS among them.
measure() {
  local name="$1" runs="$2"; shift 2
  local best="" rss=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -v -o "$scratch/time.txt" "$@" > /dev/null 2> "$scratch/stderr.txt" || true
    local wall kb
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$scratch/time.txt")
    kb=$(awk -F': ' '/Maximum resident/ { print $2 }' "$scratch/time.txt")
    if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then best="$wall"; fi
    [ "$kb" -gt "$rss" ] && rss="$kb"
  done
  printf '%s\t%s\t%s\n' "$name" "$best" "$((rss / 1024))"
}

echo "# vigil baseline / check against aide and hashdeep"
echo
echo "Machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), Node $(node --version), $(aide --version 2>&1 | head -1), hashdeep $(hashdeep -V)."
echo "Command: \`bench/hash/make-corpora.sh && bench/check/run.sh\` (warm page cache; best of 3 for checks, 1 run for baselines; peak RSS from /usr/bin/time -v)."
echo
for corpus in share small; do
  dir="$corpora/$corpus"
  files=$(find "$dir" -type f | wc -l)
  # Warm the page cache, and keep vigil's own .vigil out of the corpus.
  find "$dir" -type f -print0 | xargs -0 cat > /dev/null 2>&1 || true
  cat > "$scratch/aide.conf" <<CONF
database_in=file:$scratch/aide-$corpus.db
database_out=file:$scratch/aide-$corpus.db.new
gzip_dbout=no
num_workers=$(nproc)
report_url=stdout
# The attributes vigil records: permissions, inode, link count, owner, group, size, mtime,
# ctime, link target, file type, a SHA-256 of the content, and the extended attributes (POSIX
# ACLs, all xattrs, the SELinux label, file capabilities).
VIGIL = p+i+n+u+g+s+m+c+l+ftype+sha256+acl+xattrs+selinux+caps
$dir VIGIL
CONF
  rm -f "$scratch/aide-$corpus.db" "$scratch/aide-$corpus.db.new" "$scratch/vigil-$corpus.db"
  {
    measure "vigil baseline (sha256)" 1 $vigil baseline --no-progress --algo sha256 --db "$scratch/vigil-$corpus.db" "$dir"
    measure "vigil baseline (blake3)" 1 $vigil baseline --no-progress --db "$scratch/vigil-b3-$corpus.db" "$dir"
    measure "aide --init (sha256)" 1 aide --config="$scratch/aide.conf" --init
    mv "$scratch/aide-$corpus.db.new" "$scratch/aide-$corpus.db"
    measure "hashdeep -r -c sha256 -j$(nproc)" 1 hashdeep -r -c sha256 -j"$(nproc)" "$dir"
    measure "vigil check (no changes, fast path)" 3 $vigil check --no-progress --db "$scratch/vigil-$corpus.db" "$dir"
    measure "vigil check --full (sha256)" 3 $vigil check --no-progress --full --db "$scratch/vigil-$corpus.db" "$dir"
    measure "aide --check" 3 aide --config="$scratch/aide.conf" --check
  } > "$scratch/$corpus.tsv"
  awk -F'\t' -v corpus="$corpus" -v files="$files" '
    { name[NR] = $1; wall[NR] = $2; rss[NR] = $3; if ($1 ~ /^aide --init/) init = $2; if ($1 ~ /^aide --check/) chk = $2 }
    END {
      printf "## %s (%d files)\n\n| command | wall s | peak RSS MiB | vs aide |\n| --- | ---: | ---: | ---: |\n", corpus, files
      for (i = 1; i <= NR; i++) {
        ref = (name[i] ~ /check/) ? chk : init
        printf "| `%s` | %.2f | %d | %.1fx |\n", name[i], wall[i], rss[i], (wall[i] > 0 ? ref / wall[i] : 0)
      }
      print ""
    }' "$scratch/$corpus.tsv"
done
echo '"vs aide": aide --init time / this time for baselines (and hashdeep), aide --check time / this time for checks.'
