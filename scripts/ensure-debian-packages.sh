#!/usr/bin/env bash
# Install Debian packages the tests need, only when their command is missing.
# Usage: ensure-debian-packages.sh PACKAGE:COMMAND ...   (idempotent; loud on failure)
set -euo pipefail
missing=()
for spec in "$@"; do
  pkg=${spec%%:*}
  cmd=${spec#*:}
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "error: missing system packages: ${missing[*]}" >&2
  echo "       install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "==> installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -qq; then
  echo "error: apt-get update failed; cannot install ${missing[*]}" >&2
  exit 1
fi
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
  echo "error: apt-get install ${missing[*]} failed" >&2
  exit 1
fi
