#!/usr/bin/env bash
# `npm run test:chaos`: the chaos suite (test/chaos). It starts its own PostgreSQL and Redis with data
# under .tmp/chaos (never the shared test services) and two gateway processes, each on a port the
# kernel reports free (or CHAOS_PG_PORT, CHAOS_REDIS_PORT, CHAOS_GATEWAY0_PORT, CHAOS_GATEWAY1_PORT),
# kills and restarts them, and prints one `CHAOS {…}` line of figures per fault.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v redis-server >/dev/null && ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || {
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql redis-server >/dev/null
}
npm run --silent generate >/dev/null
exec npx vitest run --config vitest.chaos.config.ts "$@"
