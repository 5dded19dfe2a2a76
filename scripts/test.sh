#!/usr/bin/env bash
# The README's test command. Runs the whole suite against real PostgreSQL and Redis.
# Given TEST_DATABASE_URL / TEST_REDIS_URL it uses them; otherwise it provisions both on loopback
# (scripts/services.sh: Debian packages, installed if missing, in .tmp/, no systemd or Docker).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=scripts/services.sh
source "$ROOT/scripts/services.sh"

# Headless Chromium for the browser tests (Debian's build; no browser download), and a CJK font so the
# console's Simplified Chinese screens render in screenshots.
need_apt chromium fonts-wqy-microhei
ensure_services

npm run --silent generate >/dev/null
node scripts/console-build.mjs
exec npx vitest run "$@"
