#!/usr/bin/env bash
# The README's test command. Runs the whole suite against real PostgreSQL and Redis.
# Given TEST_DATABASE_URL / TEST_REDIS_URL it uses them; otherwise it provisions both on loopback
# (scripts/services.sh: Debian packages, installed if missing, in .tmp/, no systemd or Docker).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=scripts/services.sh
source "$ROOT/scripts/services.sh"

# Headless Chromium for the top-up page test (Debian's build; no browser download).
need_apt chromium
ensure_services

npm run --silent generate >/dev/null
node scripts/console-build.mjs
exec npx vitest run "$@"
