#!/usr/bin/env bash
# Installs the pinned LiteLLM proxy into .tmp/litellm-venv (idempotent) and optionally runs it.
#   scripts/litellm-proxy.sh install          install if missing, print the litellm binary path
#   scripts/litellm-proxy.sh run [args…]      install if missing, then exec `litellm args…`
# LITELLM_VENV: where (default .tmp/litellm-venv of this checkout; scripts/readme-walkthrough.sh
# shares one between checkouts). Used by test/integration/proxy/real-litellm.test.ts and the README.
# Never 1.82.7/1.82.8 (the March 2026 PyPI compromise).
set -euo pipefail
cd "$(dirname "$0")/.."
LITELLM_VERSION=${LITELLM_VERSION:-1.89.7}
VENV=${LITELLM_VENV:-"$PWD/.tmp/litellm-venv"}
BIN="$VENV/bin/litellm"

case "$LITELLM_VERSION" in 1.82.7|1.82.8) echo "litellm $LITELLM_VERSION is a known-malicious release" >&2; exit 1 ;; esac

installed_version() { "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("litellm"))' 2>/dev/null || true; }

if [ ! -x "$BIN" ] || [ "$(installed_version)" != "$LITELLM_VERSION" ]; then
  echo "litellm-proxy.sh: installing litellm[proxy]==$LITELLM_VERSION into $VENV" >&2
  mkdir -p "$(dirname "$VENV")"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "litellm[proxy]==$LITELLM_VERSION" >&2
fi

case "${1:-install}" in
  install) echo "$BIN" ;;
  run) shift; export LITELLM_LOCAL_MODEL_COST_MAP=True; exec "$BIN" "$@" ;;
  *) echo "usage: $0 install|run [litellm args…]" >&2; exit 2 ;;
esac
