#!/usr/bin/env bash
# The explorer's tests, one entry point for CI: builds dist/ (build.sh), runs the
# unit tests (formats, file reading against the package's Node build, protocol),
# serves dist/ on 127.0.0.1 (a free port), runs the end-to-end tests in headless
# Chromium (/usr/bin/chromium, or $CHROMIUM), stops the server by its PID.
# Exits non-zero on any failure. Screenshots and the measured figures land in
# test/artifacts/ (gitignored).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null || { echo "chromium is needed: apt-get install -y chromium" >&2; exit 1; }

bash build.sh
node --test test/formats.test.mjs test/importer.test.mjs test/rpc.test.mjs

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
python3 -m http.server "$port" --bind 127.0.0.1 --directory dist >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null && break
  sleep 0.1
done

EXPLORER_URL="http://127.0.0.1:$port/" node --test --test-concurrency=1 --test-timeout=600000 test/e2e.test.mjs
