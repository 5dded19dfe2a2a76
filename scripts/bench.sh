#!/usr/bin/env bash
# `npm run bench`: every bench/*.ts (bench/run.ts) against real PostgreSQL and Redis, provisioned
# like scripts/test.sh does when TEST_DATABASE_URL / TEST_REDIS_URL are absent. The proxy bench
# runs direct vs Tollgate with the fake admission (proxy overhead) and with full accounting on
# PostgreSQL, interleaved, in one run; its defaults below keep the whole run near five minutes.
# BENCH_TARGETS=direct,litellm,tollgate-accounted,tollgate→litellm adds the real LiteLLM proxy
# (scripts/litellm-proxy.sh installs it on first use; LITELLM_VENV reuses an install).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=scripts/services.sh
source "$ROOT/scripts/services.sh"
ensure_services

export BENCH_RATES=${BENCH_RATES:-50,100,200,500,1000}
export BENCH_DURATION_MS=${BENCH_DURATION_MS:-3000}
export BENCH_ROUNDS=${BENCH_ROUNDS:-3}
npm run --silent generate >/dev/null
exec npx tsx bench/run.ts "$@"
