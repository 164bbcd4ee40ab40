#!/usr/bin/env bash
# The JSON API against its own OpenAPI document: schemathesis (from PyPI,
# pinned) generates requests from `/openapi.json` of `newsdesk serve` on a
# store built by `newsdesk demo`, and fails when the server and the
# document disagree in either direction (a schema-valid request refused, a
# schema-violating one accepted, a response off its schema, a 5xx). Run by
# .ci/run after the Rust tests.
#
# A fixed seed and a modest number of examples keep the run reproducible
# and under a minute or so; raise ST_MAX_EXAMPLES or change ST_SEED to look
# harder. Installs python3-venv with apt when the venv module is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
version=4.32.5
seed="${ST_SEED:-20260301}"
max_examples="${ST_MAX_EXAMPLES:-50}"

# The venv lives under target/ and is reused while it holds the pinned
# version.
venv="$target/schemathesis-venv"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qx "schemathesis, version $version"; then
    if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    fi
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

(cd "$repo" && cargo build -p newsdesk)
bin="${NEWSDESK_BIN:-$target/debug/newsdesk}"

work="$(mktemp -d)"
server=""
cleanup() {
    if [ -n "$server" ]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

"$bin" demo --data-dir "$work/store" --no-serve >/dev/null
# Port 0: the kernel picks a free port, and the server prints the URL it
# bound once it listens.
# --allow-private: whether a webhook's host resolves to a public address
# depends on DNS at the time, which no schema can state (a generated
# "http://A" does not resolve here); the address policy has its own tests
# (crates/server/tests/api.rs).
"$bin" serve --data-dir "$work/store" --addr 127.0.0.1:0 --allow-private >"$work/serve.out" 2>"$work/serve.err" &
server=$!
url=""
for _ in $(seq 300); do
    url="$(sed -n 's|^newsdesk: serving \(http://[^ ]*/\).*|\1|p' "$work/serve.out")"
    [ -n "$url" ] && break
    if ! kill -0 "$server" 2>/dev/null; then
        echo "schemathesis.sh: newsdesk serve exited:" >&2
        cat "$work/serve.err" >&2
        exit 1
    fi
    sleep 0.1
done
if [ -z "$url" ]; then
    echo "schemathesis.sh: newsdesk serve printed no URL within 30 s" >&2
    cat "$work/serve.err" >&2
    exit 1
fi

# Every check schemathesis runs by default, every phase; no example
# database, so a run depends on the seed alone. Run from the temp dir so
# nothing is written into the repository.
status=0
(cd "$work" && "$venv/bin/schemathesis" run "${url}openapi.json" \
    --wait-for-schema 30 \
    --seed "$seed" \
    --max-examples "$max_examples" \
    --generation-database none \
    --no-color) || status=$?
if [ -s "$work/serve.err" ]; then
    echo "--- newsdesk serve stderr ---" >&2
    cat "$work/serve.err" >&2
fi
exit "$status"
