#!/usr/bin/env bash
# Builds the npm package's WebAssembly into www/pkg/ (gitignored):
#   pkg/web   `--target web`    ES module + init(), for browsers, bundlers, workers
#   pkg/node  `--target nodejs` CommonJS, for Node
# each with an entry module, index.js, from js/.
# Needs: rustup target wasm32-unknown-unknown, and wasm-bindgen on PATH at the
# version pinned in ../Cargo.toml. Uses wasm-opt from the npm package
# `binaryen` (www/node_modules/.bin) when present; set WASM_OPT=0 to skip it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

pinned="$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)"
have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')"
if [ "$have" != "$pinned" ]; then
  echo "wasm-bindgen $pinned is needed (found '${have:-none}'): cargo install wasm-bindgen-cli --version $pinned" >&2
  exit 1
fi

cargo build --profile wasm-release --target wasm32-unknown-unknown --lib -p knowledge-graph
target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/knowledge_graph.wasm"

rm -rf "$here/pkg"
for target in web nodejs; do
  out="$here/pkg/${target%js}"
  wasm-bindgen --target "$target" --out-dir "$out" --out-name knowledge_graph "$wasm"
done
# Each build says what module system its .js files use.
printf '{ "type": "module" }\n' > "$here/pkg/web/package.json"
printf '{ "type": "commonjs" }\n' > "$here/pkg/node/package.json"
# The entry modules (js/): node lookups and walks answered in JS, then the bindings.
cp "$here/js/index.web.js" "$here/pkg/web/index.js"
cp "$here/js/index.node.js" "$here/pkg/node/index.js"
cp "$here/js/lookup.js" "$here/pkg/web/lookup.js"
cp "$here/js/lookup.js" "$here/pkg/node/lookup.js"
# The CommonJS build require()s lookup.js and the Rust code's inline JS
# snippets, written as ES modules: make their `export function`s exports.
for module in "$here"/pkg/node/lookup.js "$here"/pkg/node/snippets/*/*.js; do
  [ -e "$module" ] || continue
  sed -i -E 's/^export function ([A-Za-z0-9_]+)/exports.\1 = function \1/' "$module"
done

wasm_opt="$here/node_modules/.bin/wasm-opt"
if [ "${WASM_OPT:-1}" != 0 ] && [ -x "$wasm_opt" ]; then
  for dir in web node; do
    file="$here/pkg/$dir/knowledge_graph_bg.wasm"
    "$wasm_opt" -O3 --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-reference-types \
      --enable-multivalue "$file" -o "$file.opt"
    mv "$file.opt" "$file"
  done
else
  echo "note: wasm-opt not found (npm install in www/ brings it); the module is unoptimised" >&2
fi

size="$(stat -c %s "$here/pkg/web/knowledge_graph_bg.wasm")"
gz="$(gzip -9 -c "$here/pkg/web/knowledge_graph_bg.wasm" | wc -c)"
echo "knowledge_graph_bg.wasm: $size bytes raw, $gz bytes gzipped"
