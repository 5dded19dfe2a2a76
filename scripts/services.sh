# Sourced by scripts/test.sh and scripts/bench.sh: PostgreSQL and Redis on loopback for tests and
# benchmarks. `ensure_services` keeps TEST_DATABASE_URL / TEST_REDIS_URL when given; otherwise it
# provisions each (Debian packages, installed if missing) in .tmp/, started by hand: no systemd or
# Docker needed. Expects ROOT (the repository) to be set; the caller owns `set -euo pipefail`.
TMP="$ROOT/.tmp"
mkdir -p "$TMP"
PG_PORT=${TOLLGATE_TEST_PG_PORT:-55432}
REDIS_PORT=${TOLLGATE_TEST_REDIS_PORT:-56379}
SERVICES_CALLER=$(basename "$0")

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "$SERVICES_CALLER: installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

start_postgres() {
  need_apt postgresql
  local bindir; bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  local data="$TMP/pg"
  local run=()
  if [ "$(id -u)" = 0 ]; then run=(runuser -u postgres --); chown postgres "$TMP"; fi
  if ! "${run[@]}" "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    if [ ! -f "$data/PG_VERSION" ]; then
      rm -rf "$data"; mkdir -p "$data"; [ "$(id -u)" = 0 ] && chown postgres "$data"
      "${run[@]}" "$bindir/initdb" -D "$data" -U tollgate --auth=trust -N >/dev/null
    fi
    "${run[@]}" "$bindir/pg_ctl" -D "$data" -l "$TMP/pg.log" -w \
      -o "-p $PG_PORT -k $TMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null
  fi
  export TEST_DATABASE_URL="postgresql://tollgate@127.0.0.1:$PG_PORT/postgres"
}

start_redis() {
  need_apt redis-server
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
      --logfile "$TMP/redis.log" --dir "$TMP" >/dev/null
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  export TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
}

ensure_services() {
  [ -n "${TEST_DATABASE_URL:-}" ] || start_postgres
  [ -n "${TEST_REDIS_URL:-}" ] || start_redis
  echo "$SERVICES_CALLER: PostgreSQL $TEST_DATABASE_URL, Redis $TEST_REDIS_URL"
}
