#!/usr/bin/env bash
# Copies the files a fresh clone would have (tracked ones and new ones not ignored, as they are
# in the work tree now) to DEST: `.ci/copy-work-tree.sh DEST`.
set -euo pipefail
dest=$1
cd "$(dirname "$0")/.."
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
  if [ -e "$file" ]; then
    mkdir -p "$dest/$(dirname "$file")"
    cp -p "$file" "$dest/$file"
  fi
done
