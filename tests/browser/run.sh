#!/usr/bin/env bash
# Browser tests of `newsdesk serve` (Playwright driving Debian's Chromium).
# Installs what they need when missing: chromium and node from Debian,
# playwright-core from npm (pinned by package-lock.json). Run by .ci/run
# after `cargo test --workspace`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v node >/dev/null || need_apt+=(nodejs)
command -v npm >/dev/null || need_apt+=(npm)
if [ ${#need_apt[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
(cd "$repo" && cargo build -p newsdesk)
export NEWSDESK_BIN="${NEWSDESK_BIN:-${CARGO_TARGET_DIR:-$repo/target}/debug/newsdesk}"
cd "$here" && node --test --test-concurrency=1 ui.test.mjs
