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
dev() { node -p 'require(process.argv[1]).devDependencies[process.argv[2]]' "$www/package.json" "$1"; }
npm install --no-audit --no-fund --silent "$tarball" "graphology@$(dev graphology)" "typescript@$(dev typescript)"
cp -r "$www/test" ./test

# The shipped types: strict TypeScript over the whole API.
cat > tsconfig.json <<'JSON'
{ "compilerOptions": { "strict": true, "noEmit": true, "target": "es2022", "module": "nodenext",
  "moduleResolution": "nodenext", "lib": ["esnext", "dom"], "skipLibCheck": false },
  "files": ["test/types.ts"] }
JSON
npx tsc -p tsconfig.json
echo "types: test/types.ts type-checks against the packed package"

node --test test/*.test.mjs test/*.test.cjs
