#!/usr/bin/env bash
# Runs the tests on another Node.js line, from the registry: `.ci/node-suite.sh VERSION all|tandem`.
#   all:    the whole suite (`npm test`) in a copy of the work tree installed from scratch with
#           that Node: `npm ci` compiles better-sqlite3 and vigil's addon for its ABI, against
#           the headers its package ships (npm_config_nodedir), so nothing is downloaded.
#   tandem: tandem's suite, in this tree (tandem has no compiled parts).
set -euo pipefail
version=$1 scope=$2
repo=$(cd "$(dirname "$0")/.." && pwd)
node=$(bash "$repo/.ci/install-runtime.sh" node "$version")
export PATH="$(dirname "$node"):$PATH"
export npm_config_nodedir="$(dirname "$(dirname "$node")")"
echo "node-suite: $scope on Node.js $(node --version)"
case "$scope" in
  tandem)
    cd "$repo"
    node scripts/test.mjs packages/tandem
    ;;
  all)
    copy=$(mktemp -d)
    trap 'rm -rf "$copy"' EXIT
    bash "$repo/.ci/copy-work-tree.sh" "$copy"
    cd "$copy"
    npm ci --no-audit --no-fund
    npm test
    ;;
  *)
    echo "node-suite: scope is all or tandem, not $scope" >&2
    exit 2
    ;;
esac
