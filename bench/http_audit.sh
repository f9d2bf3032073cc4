#!/usr/bin/env bash
# Run graphql-http's server audits against a fresh server started as `make run` does
# (SQLite, demo data) on a free port, then stop it. Needs Node 20+ and npm.
#
#     bash bench/http_audit.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
bin="$root/.venv/bin"
work="$(mktemp -d)"
trap 'kill "${server:-0}" 2>/dev/null || true; wait "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

[ -d "$here/node_modules/graphql-http" ] || (cd "$here" && npm install --no-audit --no-fund --silent)
port="$("$bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cd "$work"
mkdir -p data
"$bin/pluginhub" migrate >/dev/null
"$bin/pluginhub" demo --json >/dev/null
"$bin/pluginhub" serve --host 127.0.0.1 --port "$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
node "$here/http_audit.mjs" "http://127.0.0.1:$port/graphql"
