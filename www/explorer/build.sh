#!/usr/bin/env bash
# Builds the explorer into www/explorer/dist/: static files, no network at run time.
#   npm ci (sigma, graphology, esbuild; skipped when node_modules is up to date),
#   esbuild bundles of the page and the graph worker, the wasm of ../pkg/web
#   (build it first with `bash www/build.sh`), the sample graph (JSON Lines).
# Serve: python3 -m http.server 8080 --bind 127.0.0.1 --directory www/explorer/dist
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
pkg="$here/../pkg/web"
[ -f "$pkg/knowledge_graph_bg.wasm" ] || { echo "the wasm package is missing: bash www/build.sh" >&2; exit 1; }

# npm ci only when the lock file changed since the last install.
stamp=node_modules/.explorer-lock.json
if ! cmp -s package-lock.json "$stamp" 2>/dev/null; then
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi

rm -rf dist
mkdir -p dist
common=(--bundle --format=esm --target=es2022 --minify --sourcemap --log-level=warning
  "--alias:maya-knowledge-graph=$pkg/index.js")
node_modules/.bin/esbuild src/main.js --outfile=dist/main.js "${common[@]}"
node_modules/.bin/esbuild src/worker.js --outfile=dist/worker.js "${common[@]}"
cp index.html style.css dist/
cp "$pkg/knowledge_graph_bg.wasm" dist/
node scripts/make-sample.mjs dist/sample.jsonl
du -sh dist | sed 's/\t.*/ in dist\//'
