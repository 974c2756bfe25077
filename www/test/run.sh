#!/usr/bin/env bash
# Packs the npm package, installs the tarball into a fresh directory and runs
# the JS tests there against it (Node's built-in test runner). Build first:
# `bash www/build.sh`.
set -euo pipefail
www="$(cd "$(dirname "$0")/.." && pwd)"
cd "$www"
[ -f pkg/web/knowledge_graph_bg.wasm ] || { echo "build the package first: bash www/build.sh" >&2; exit 1; }

tarball="$www/$(npm pack --silent | tail -n 1)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp" "$tarball"' EXIT
cd "$tmp"
printf '{ "name": "maya-kg-consumer", "private": true, "type": "module" }\n' > package.json
graphology="$(node -p 'require(process.argv[1]).devDependencies.graphology' "$www/package.json")"
npm install --no-audit --no-fund --silent "$tarball" "graphology@$graphology"
cp -r "$www/test" ./test
node --test test/*.test.mjs test/*.test.cjs
