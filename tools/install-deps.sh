#!/usr/bin/env bash
# Installs the Debian 12 packages chargeback needs to build, test and be looked at.
# Only what is missing is installed; run as root or with sudo available.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libhpdf-dev libxlsxwriter-dev libjansson-dev libyajl-dev
      zlib1g-dev libsodium-dev libgmime-3.0-dev libfribidi-dev libcmocka-dev qpdf poppler-utils python3 python3-openpyxl unzip
      fonts-droid-fallback fonts-nanum clang clang-format valgrind git
      libreoffice-calc-nogui # the independent recalculation of the workbooks (soffice)
      chromium) # the printed HTML pages (tests/scripts/test_html_print.sh)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# DuckDB, for the roll-up test (tests/scripts/test_rollup_duckdb.sh) and the benchmark peer:
# @duckdb/node-api from the npm registry into tools/node_modules (kept out of git). Needs Node 20.
tools=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$tools/node_modules/@duckdb/node-api" ]; then
  command -v npm >/dev/null || { echo "install-deps: npm (Node.js 20) is needed for DuckDB" >&2; exit 1; }
  echo "installing: @duckdb/node-api (npm, into $tools/node_modules)"
  npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error @duckdb/node-api@1.5.6-r.1
fi
