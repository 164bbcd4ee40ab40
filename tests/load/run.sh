#!/usr/bin/env bash
# The serve load test: starts `newsdesk serve` on STORE_DIR, warms it up,
# then runs wrk (2 threads, 64 connections) for DURATION against article
# pages and against the search API, printing wrk's latency distribution
# and the server's resident memory before and after each run.
#
#   tests/load/run.sh STORE_DIR [DURATION]      (default 60s)
#
# Needs wrk (`apt-get install wrk`) and a release build
# (`cargo build --release`; NEWSDESK_BIN overrides the binary). A 100k
# store: `newsdesk bench corpus --articles 100000 --out /tmp/c100k/corpus
# && newsdesk bench ingest /tmp/c100k/corpus` (the store is then
# /tmp/c100k/corpus-store).
set -euo pipefail
store=${1:?usage: tests/load/run.sh STORE_DIR [DURATION]}
dur=${2:-60s}
here=$(cd "$(dirname "$0")" && pwd)
bin=${NEWSDESK_BIN:-$here/../../target/release/newsdesk}
command -v wrk >/dev/null || { echo "run.sh: needs wrk (apt-get install wrk)" >&2; exit 2; }
[ -x "$bin" ] || { echo "run.sh: no binary at $bin (cargo build --release)" >&2; exit 2; }
work=$(mktemp -d)
python3 "$here/make_scripts.py" "$store" "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --data-dir "$store" --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/api/stats" >/dev/null 2>&1 && break
  sleep 0.2
done
rss() { echo "server RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"; }
rss
for s in ${LOAD_ONLY:-article search}; do
  wrk -t2 -c64 -d10s -s "$work/$s.lua" "http://127.0.0.1:$port" >/dev/null
  echo "== $s ($dur, 64 connections) =="
  wrk -t2 -c64 -d"$dur" --latency -s "$work/$s.lua" "http://127.0.0.1:$port"
  rss
done
