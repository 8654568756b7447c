#!/usr/bin/env bash
# vigil snapshots, ls, find and diff against restic's same commands, in one run on one machine,
# over repositories of 10, 30 and 100 snapshots of a copy of the /usr/share corpus (1% of its
# files changed between snapshots, other files each time). Both repositories are encrypted and
# hold the same snapshots; each command is timed with hyperfine (password derivation included,
# as a user pays it). Prints a markdown report: mean times, the ratio restic / vigil (above 1:
# vigil is faster), and how each grows with the number of snapshots.
#
#   bash bench/hash/make-corpora.sh      # once: makes bench/.scratch/hash/share
#   npm run build && bash bench/backup/inspect.sh > report.md
#   INSPECT_SIZES="10 30" INSPECT_RUNS=3 bash bench/backup/inspect.sh   # smaller, quicker
#
#   INSPECT_KEEP=1 INSPECT_SIZES=100 bash bench/backup/inspect.sh  # measure a new build on the
#                                        # repositories a run before left (sizes below theirs skipped)
#   INSPECT_COMMANDS="snapshots ls" ...  # only these commands (find takes minutes at 100 snapshots)
#
# Needs restic and hyperfine (apt-get install restic hyperfine). Everything it writes is under
# bench/.scratch/inspect (gitignored) and is removed first, unless INSPECT_KEEP=1 finds it.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
corpus_src="${INSPECT_CORPUS:-$here/bench/.scratch/hash/share}"
scratch="$here/bench/.scratch/inspect"
sizes="${INSPECT_SIZES:-10 30 100}"
runs="${INSPECT_RUNS:-5}"
pattern='README*'
commands="${INSPECT_COMMANDS:-snapshots ls find diff}"
command -v restic >/dev/null && command -v hyperfine >/dev/null || { echo "apt-get install restic hyperfine" >&2; exit 2; }

corpus="$scratch/share"
cli="$here/packages/vigil/dist/cli.js"
export RESTIC_PASSWORD=throwaway-bench-password VIGIL_PASSWORD=throwaway-bench-password
export RESTIC_REPOSITORY="$scratch/restic" RESTIC_CACHE_DIR="$scratch/restic-cache"
if [ "${INSPECT_KEEP:-0}" = 1 ] && [ -f "$scratch/made" ]; then
  made=$(cat "$scratch/made") # how many snapshots each repository already holds
  echo "reusing the repositories of $scratch ($made snapshots each)" >&2
else
  [ -d "$corpus_src" ] || { echo "run bench/hash/make-corpora.sh first" >&2; exit 2; }
  rm -rf "$scratch" && mkdir -p "$scratch"
  cp -a "$corpus_src" "$corpus"
  restic init -q >/dev/null
  node "$cli" init "$scratch/vigil" >/dev/null
  LC_ALL=C find "$corpus" -type f | LC_ALL=C sort > "$scratch/files"
  made=0
fi
build_to() { # backs up into both repositories until each holds $1 snapshots
  local started=$SECONDS
  while [ "$made" -lt "$1" ]; do
    if [ "$made" -gt 0 ]; then # another 1% of the files each time: every 100th, shifted by one
      awk -v k=$((made % 100)) 'NR % 100 == k' "$scratch/files" |
        while IFS= read -r f; do printf 'changed by bench/backup/inspect.sh %s\n' "$made" >> "$f"; done
    fi
    node "$cli" backup "$corpus" --to "$scratch/vigil" --no-progress >/dev/null
    restic -q backup "$corpus" >/dev/null
    made=$((made + 1))
    echo "$made" > "$scratch/made"
  done
  echo "built up to $1 snapshots in $((SECONDS - started)) s" >&2
}

# Mean seconds of each command of a hyperfine JSON export, by its name: wall (± σ), then CPU (user + system).
means() {
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1])).results;
    for (const x of r) console.log(`${x.command}\t${x.mean.toFixed(3)}\t${x.stddev === null ? 0 : x.stddev.toFixed(3)}\t${(x.user + x.system).toFixed(3)}`);' "$1"
}

ratio() { printf '%.2f' "$(echo "scale=4; $1 / $2" | bc)"; }
declare -A mean
measured=""
for n in $sizes; do
  if [ "$made" -gt "$n" ]; then echo "skipping $n snapshots: the repositories hold $made" >&2; continue; fi
  build_to "$n"
  # restic 0.14's diff takes ids only (no "latest"): both get the first and the last id.
  ends='const s = JSON.parse(require("fs").readFileSync(0)); console.log(s[0].id, s.at(-1).id)'
  read -r vfirst vlast < <(node "$cli" snapshots "$scratch/vigil" --json | node -e "$ends")
  read -r rfirst rlast < <(restic snapshots --json | node -e "$ends")
  declare -A vigil_cmd=([snapshots]="snapshots $scratch/vigil" [ls]="ls $scratch/vigil latest"
    [find]="find $scratch/vigil $pattern" [diff]="diff $scratch/vigil $vfirst $vlast")
  declare -A restic_cmd=([snapshots]="snapshots" [ls]="ls latest" [find]="find $pattern" [diff]="diff $rfirst $rlast")
  timed=()
  for cmd in $commands; do
    timed+=(-n "vigil $cmd" "node $cli ${vigil_cmd[$cmd]}" -n "restic $cmd" "restic ${restic_cmd[$cmd]}")
  done
  hyperfine -N --warmup 1 --runs "$runs" --export-json "$scratch/h-$n.json" "${timed[@]}" >&2
  while IFS=$'\t' read -r name m sd cpu; do mean["$n $name"]="$m"; mean["$n $name sd"]="$sd"; mean["$n $name cpu"]="$cpu"; done < <(means "$scratch/h-$n.json")
  measured="$measured $n"
done

nfiles=$(wc -l < "$scratch/files")
echo "corpus: a copy of /usr/share, $nfiles files, $(du -sb "$corpus" | cut -f1) bytes; 1% of the files changed before each snapshot after the first."
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), node $(node --version), restic $(restic version | cut -d' ' -f2), hyperfine $(hyperfine --version | cut -d' ' -f2); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Each time is hyperfine's mean of $runs runs after a warm-up (± its standard deviation), key derivation included for both;"
echo "CPU is the mean user + system time, steadier than wall time when the machine is shared."
echo "\`find\` looks for \`$pattern\` in every snapshot; \`diff\` compares the first snapshot with the latest; \`ls\` lists all of the latest."
echo
echo "| snapshots | command | vigil (s) | restic (s) | restic / vigil | vigil CPU (s) | restic CPU (s) | restic / vigil CPU |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for n in $measured; do
  for cmd in $commands; do
    v=${mean["$n vigil $cmd"]} r=${mean["$n restic $cmd"]}
    vc=${mean["$n vigil $cmd cpu"]} rc=${mean["$n restic $cmd cpu"]}
    echo "| $n | $cmd | $v ± ${mean["$n vigil $cmd sd"]} | $r ± ${mean["$n restic $cmd sd"]} | $(ratio "$r" "$v") | $vc | $rc | $(ratio "$rc" "$vc") |"
  done
done
set -- $measured
if [ $# -gt 1 ]; then
  first=$1 last=${!#}
  echo
  echo "Growth from $first to $last snapshots (time at $last / time at $first):"
  echo
  echo "| command | vigil | restic |"
  echo "| --- | ---: | ---: |"
  for cmd in $commands; do
    echo "| $cmd | $(ratio "${mean["$last vigil $cmd"]}" "${mean["$first vigil $cmd"]}") | $(ratio "${mean["$last restic $cmd"]}" "${mean["$first restic $cmd"]}") |"
  done
fi
