#!/usr/bin/env bash
# ccwh's Superset.  Usage: superset/manage.sh [--home DIR] COMMAND
#   install     create .venv-superset (uv, pins in superset/requirements.txt)
#   bootstrap   metadata DB upgrade, admin user, init, import dashboards, tenants, roles, RLS
#   serve       serve on 127.0.0.1:8088 (foreground; Ctrl-C or SIGTERM stops it cleanly)
#   stop        stop a running `serve`
#   sync        sync datasets/tenants/RLS with the published warehouse and warm the caches
#   bundle --out FILE   write the import bundle ZIP
# The data directory is --home, else $CCWH_HOME, else ./.ccwh (the same as `ccwh`).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CCWH_SUPERSET_VENV:-$REPO/.venv-superset}"
REQ="$REPO/superset/requirements.txt"
export DO_NOT_TRACK=1

install() {
  local stamp="$VENV/.installed"
  if [[ -f "$stamp" ]] && cmp -s "$REQ" "$stamp"; then
    echo "superset venv up to date: $VENV"; return 0
  fi
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  local uv="$REPO/.venv/bin/uv"
  if [[ ! -x "$uv" ]]; then "$VENV/bin/python" -m pip install --quiet uv; uv="$VENV/bin/uv"; fi
  # --compile-bytecode: PYTHONDONTWRITEBYTECODE is set on these machines (STACK.md)
  "$uv" pip install --python "$VENV/bin/python" --compile-bytecode -r "$REQ"
  cp "$REQ" "$stamp"
}

args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --home) export CCWH_HOME="$2"; shift 2 ;;
    --home=*) export CCWH_HOME="${1#--home=}"; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
[[ ${#args[@]} -gt 0 ]] || { sed -n '2,10p' "$0"; exit 2; }

if [[ "${args[0]}" == install ]]; then install; exit; fi
[[ -x "$VENV/bin/superset" ]] || install
# exec: signals (Ctrl-C, SIGTERM) reach manage.py, which stops gunicorn cleanly
exec "$VENV/bin/python" "$REPO/superset/manage.py" --home "${CCWH_HOME:-.ccwh}" "${args[@]}"
