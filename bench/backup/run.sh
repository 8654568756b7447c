#!/usr/bin/env bash
# vigil backup vs rsnapshot (hard-link trees) vs restic, in one run on one machine:
# a first backup of a copy of the /usr/share corpus, then a second after changing 1% of its
# files, then a restore of the whole second snapshot (vigil and restic). vigil and restic
# both compress (auto) and encrypt; rsnapshot does neither. Prints markdown tables (times,
# ratios to vigil, repository size vs corpus size, vigil's peak memory).
#
#   bash bench/hash/make-corpora.sh      # once: makes bench/.scratch/hash/share
#   npm run build && bash bench/backup/run.sh
#
# Needs restic and rsnapshot (apt-get install restic rsnapshot). Everything it writes is
# under bench/.scratch/backup (gitignored) and is removed first.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
corpus_src="$here/bench/.scratch/hash/share"
scratch="$here/bench/.scratch/backup"
[ -d "$corpus_src" ] || { echo "run bench/hash/make-corpora.sh first" >&2; exit 2; }
command -v restic >/dev/null && command -v rsnapshot >/dev/null || { echo "apt-get install restic rsnapshot" >&2; exit 2; }

# File systems an interrupted run left mounted under the scratch folder (restores, below).
for m in "$scratch"/out-*; do mountpoint -q "$m" 2>/dev/null && umount "$m"; done
rm -rf "$scratch" && mkdir -p "$scratch"
corpus="$scratch/share"
cp -a "$corpus_src" "$corpus"
vigil=(node "$here/packages/vigil/dist/cli.js")
export RESTIC_PASSWORD=throwaway-bench-password
export VIGIL_PASSWORD=throwaway-bench-password
# Both tools keep a cache (restic's ~/.cache/restic, vigil's parent tables in ~/.cache/vigil):
# each run starts with none, under the scratch folder, as a first backup on a new machine would.
export XDG_CACHE_HOME="$scratch/cache"

# rsnapshot wants TABs between fields and a trailing slash on directories.
printf 'config_version\t1.2\nsnapshot_root\t%s/rsnapshot/\nno_create_root\t0\ncmd_rsync\t/usr/bin/rsync\ncmd_cp\t/bin/cp\nlink_dest\t1\nretain\tbench\t10\nlockfile\t%s/rsnapshot.pid\nbackup\t%s/\tcorpus/\n' \
  "$scratch" "$scratch" "$corpus" > "$scratch/rsnapshot.conf"
rsnapshot -c "$scratch/rsnapshot.conf" configtest >/dev/null
restic init -q -r "$scratch/restic" >/dev/null
"${vigil[@]}" init "$scratch/vigil" >/dev/null

# Warm the cache once, so the first tool is not the one that pays for the disk.
find "$corpus" -type f -print0 | xargs -0 cat > /dev/null

# Each timed run starts with no dirty data on the file system (sync, untimed): otherwise a
# tool that flushes (vigil's syncfs) would also pay to write back the corpus copy or the
# previous tool's repository.
seconds() { local t0 t1; sync; t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
# Like seconds, and the peak resident memory (MB) of the command into the named variable.
peak_file="$scratch/peak-kb"
timed_peak() { local t0 t1; sync; t0=$(date +%s.%N); /usr/bin/time -f %M -o "$peak_file" "$@" > /dev/null; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
peak_mb() { echo "$(cat "$peak_file") / 1024" | bc; }
size() { du -sb "$1" | cut -f1; }

declare -A t1 t2 s1 s2 peak
run_all() { # $1 = 1 or 2
  local v r s
  v=$(timed_peak "${vigil[@]}" backup "$corpus" --to "$scratch/vigil" --no-progress)
  peak[backup$1]=$(peak_mb)
  s=$(seconds rsnapshot -c "$scratch/rsnapshot.conf" bench)
  r=$(seconds restic -q -r "$scratch/restic" backup "$corpus")
  if [ "$1" = 1 ]; then t1[vigil]=$v t1[rsnapshot]=$s t1[restic]=$r
  else t2[vigil]=$v t2[rsnapshot]=$s t2[restic]=$r; fi
  for tool in vigil rsnapshot restic; do
    if [ "$1" = 1 ]; then s1[$tool]=$(size "$scratch/$tool"); else s2[$tool]=$(size "$scratch/$tool"); fi
  done
}

run_all 1
# Change 1% of the files: every 100th regular file (in byte order) gets a line appended.
files=$(find "$corpus" -type f | LC_ALL=C sort | awk 'NR % 100 == 0')
changed=$(printf '%s\n' "$files" | wc -l)
printf '%s\n' "$files" | while IFS= read -r f; do printf 'changed by bench/backup\n' >> "$f"; done
run_all 2

# Restore the whole second snapshot (the same corpus, changed files included), each run into
# a file system of its own, made fresh: ext4 slows creating files for minutes after many were
# deleted (its allocator avoids and re-checks recently freed inodes: perf showed
# recently_deleted under ext4_create), so a restore into a directory beside earlier ones
# measured whichever tool ran after an rm -rf. Needs root for mount -o loop; otherwise
# restores into fresh directories of $scratch, with that caveat. Rounds alternate the tools.
rounds=${RESTORE_ROUNDS:-3}
fresh_fs() { # $1 = name: prints a directory on a fresh ext4 (or a fresh directory)
  local image="$scratch/$1.img" mount="$scratch/$1"
  mkdir -p "$mount"
  if [ "$(id -u)" = 0 ] && command -v mkfs.ext4 >/dev/null; then
    truncate -s 3G "$image" && mkfs.ext4 -q -F "$image" && mount -o loop "$image" "$mount" && { echo "$mount"; return; }
  fi
  echo "$mount"
}
drop_fs() { mountpoint -q "$1" && umount "$1"; rm -rf "$1" "$1.img"; }
declare -a rv rr
for round in $(seq "$rounds"); do
  out=$(fresh_fs out-vigil)
  rv+=("$(timed_peak "${vigil[@]}" restore "$scratch/vigil" latest "$out")")
  peak[restore]=$(peak_mb)
  # vigil's restore is byte for byte the corpus (under the corpus's absolute path).
  [ "$round" = 1 ] && { diff -r --no-dereference "$corpus" "$out$corpus" >/dev/null || { echo "vigil's restore differs from the corpus" >&2; exit 1; }; }
  drop_fs "$out"
  out=$(fresh_fs out-restic)
  rr+=("$(seconds restic -q -r "$scratch/restic" restore latest --target "$out")")
  drop_fs "$out"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
restore_vigil=$(median "${rv[@]}")
restore_restic=$(median "${rr[@]}")

corpus_bytes=$(size "$corpus")
nfiles=$(find "$corpus" -type f | wc -l)
echo "corpus: $nfiles files, $corpus_bytes bytes (du -sb); changed $changed files for the second backup"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), node $(node --version), restic $(restic version | cut -d' ' -f2), rsnapshot $(rsnapshot -V 2>/dev/null | head -1 | awk '{print $2}')"
echo
echo "| tool | first backup (s) | vs vigil | second backup (s) | vs vigil | repo after first (MB) | repo / corpus | repo after second (MB) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for tool in vigil rsnapshot restic; do
  printf '| %s | %.2f | %.2fx | %.2f | %.2fx | %.1f | %.3f | %.1f |\n' "$tool" \
    "${t1[$tool]}" "$(echo "${t1[$tool]} / ${t1[vigil]}" | bc -l)" \
    "${t2[$tool]}" "$(echo "${t2[$tool]} / ${t2[vigil]}" | bc -l)" \
    "$(echo "${s1[$tool]} / 1000000" | bc -l)" "$(echo "${s1[$tool]} / $corpus_bytes" | bc -l)" \
    "$(echo "${s2[$tool]} / 1000000" | bc -l)"
done
echo
echo "| tool | restore of the second snapshot, median of $rounds (s) | runs (s) | vs vigil |"
echo "| --- | ---: | --- | ---: |"
printf '| vigil | %.2f | %s | 1.00x |\n' "$restore_vigil" "${rv[*]}"
printf '| restic | %.2f | %s | %.2fx |\n' "$restore_restic" "${rr[*]}" "$(echo "$restore_restic / $restore_vigil" | bc -l)"
echo
echo "vigil's peak memory (max RSS, MB): first backup ${peak[backup1]}, second backup ${peak[backup2]}, restore ${peak[restore]}"
