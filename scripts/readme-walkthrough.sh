#!/usr/bin/env bash
# README.md's quick start and "First proxied request", run as written, so the README cannot drift from
# what works. In a fresh clone of this checkout's HEAD (temporary folder, nothing beside it):
#   - the quick start's first command, `npm install && npm start` (npm start in the background; its
#     `npm test` is CI's own step), then
#   - every ```sh block after a `<!-- walkthrough` line, verbatim, in one bash session (so exports carry
#     over, like a user's shell), each block's output checked against its `# → text` lines (in order).
# The provider behind the real LiteLLM is the data-plane double (test/doubles/litellm/serve-provider.ts),
# given as the user's OPENAI_API_KEY / OPENAI_BASE_URL. Everything started is stopped at the end.
# Needs git, npm, python3 (pip), jq, curl, openssl; ports 8080 and 4000 free. Run by .ci/run.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
for tool in git npm python3 jq curl openssl setsid; do
  command -v "$tool" >/dev/null || { echo "readme-walkthrough: needs $tool" >&2; exit 2; }
done
for port in 8080 4000; do
  if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/"; then
    echo "readme-walkthrough: port $port is in use; the README's walkthrough needs it" >&2
    exit 2
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/tollgate-walkthrough.XXXXXX")
session="" provider_session=""
cleanup() {
  local rc=$?
  # Everything the walkthrough started runs in its own sessions (setsid): stop those process groups.
  for s in "$session" "$provider_session"; do [ -n "$s" ] && kill -- "-$s" 2>/dev/null; done
  if [ "$rc" -ne 0 ] && [ -d "$work/tollgate" ]; then
    for log in litellm.log tollgate.log quickstart.log; do
      [ -f "$work/tollgate/$log" ] && { echo "--- $log (tail)"; tail -n 40 "$work/tollgate/$log"; }
    done
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

git clone -q "$src" "$work/tollgate"
readme="$work/tollgate/README.md"

# The quick start's two commands, exactly: the walkthrough runs the first.
grep -qxF 'npm install && npm start     # the gateway on http://localhost:8080, embedded database in ./data' "$readme" ||
  { echo "readme-walkthrough: the quick start no longer reads 'npm install && npm start …'; update this script" >&2; exit 1; }

# Marked blocks → block.N.sh; their `# → text` lines → expect.N.
awk -v dir="$work" '
  /^<!-- walkthrough/ { marked = 1; next }
  marked && /^```sh$/ { n++; inblock = 1; marked = 0; next }
  inblock && /^```$/ { inblock = 0; next }
  inblock {
    print > (dir "/block." n ".sh")
    if ($0 ~ /^# → /) { sub(/^# → /, ""); print > (dir "/expect." n) }
  }
  END { print n + 0 > (dir "/blocks") }
' "$readme"
blocks=$(cat "$work/blocks")
[ "$blocks" -ge 3 ] || { echo "readme-walkthrough: found $blocks walkthrough blocks in README.md" >&2; exit 1; }

# The LiteLLM install is shared with this checkout (pip once, not per clone).
export LITELLM_VENV="$src/.tmp/litellm-venv"
bash "$src/scripts/litellm-proxy.sh" install >/dev/null

cat > "$work/session.sh" <<'EOF'
# Runs in the clone, in its own session. $1 = work dir, $2 = number of blocks.
set -e
work=$1 blocks=$2
output=""
# A failing command ends the walkthrough (set -e, as in a careful user's shell): show that block's output.
trap 'rc=$?; if [ "$rc" -ne 0 ] && [ -n "$output" ]; then echo "--- output of the failing block:" >&2; cat "$output" >&2; fi' EXIT
step() { echo "readme-walkthrough: $*" >&2; }
check() { # block output file, expectations file: each expected text, in order
  local line rest
  [ -f "$2" ] || return 0
  rest=$(cat "$1")
  while IFS= read -r line; do
    case "$rest" in
      *"$line"*) rest=${rest#*"$line"} ;;
      *) step "expected output not found: $line"; exit 1 ;;
    esac
  done < "$2"
}
kill_tree() { local c; for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$c"; done; kill "$1" 2>/dev/null || true; }

step "quick start: npm install && npm start"
npm install --no-audit --no-fund --loglevel=error > quickstart.log 2>&1
npm start >> quickstart.log 2>&1 &
quickstart=$!
until curl -sf localhost:8080/readyz > /dev/null; do
  kill -0 "$quickstart" 2>/dev/null || { step "npm start exited"; cat quickstart.log >&2; exit 1; }
  sleep 1
done
for i in $(seq 1 "$blocks"); do
  step "block $i: $(grep -m1 '^# [0-9]' "$work/block.$i.sh" || head -n 1 "$work/block.$i.sh")"
  output="$work/out.$i"
  # shellcheck disable=SC1090
  { source "$work/block.$i.sh"; } > "$output" 2>&1
  check "$output" "$work/expect.$i"
  if [ "$i" = 1 ]; then
    # The README says: stop the quick-start gateway before "First proxied request".
    kill_tree "$quickstart"
    while kill -0 "$quickstart" 2>/dev/null; do sleep 0.2; done
    while curl -s -o /dev/null localhost:8080/healthz; do sleep 0.2; done
  fi
done
output=""
step "all $blocks blocks ran and printed what the README says"
EOF

# The user's provider: the double, with a key of its own.
cd "$work/tollgate"
export OPENAI_API_KEY="sk-provider-$(openssl rand -hex 8)"
exec 3< <(setsid "$src/node_modules/.bin/tsx" test/doubles/litellm/serve-provider.ts 2>&1 & echo "pid $!")
read -r _ provider_session <&3
read -r OPENAI_BASE_URL <&3 || true
case "$OPENAI_BASE_URL" in http://*) ;; *) echo "readme-walkthrough: provider did not start: $OPENAI_BASE_URL" >&2; exit 1 ;; esac
export OPENAI_BASE_URL
unset PORT DATABASE_URL REDIS_URL LITELLM_URL TOLLGATE_ADMIN_TOKEN LITELLM_MASTER_KEY
set +e
setsid bash "$work/session.sh" "$work" "$blocks" &
session=$!
wait "$session"
rc=$?
set -e
exit "$rc"
