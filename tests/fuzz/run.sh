#!/usr/bin/env bash
# Runs every fuzz target for a bounded time with its seed corpus; fails on any finding.
# usage: tests/fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
build=$1 seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
status=0
for bin in "$build"/tests/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  corpus=$(mktemp -d)
  [ -d "$here/corpus/$name" ] && cp -r "$here/corpus/$name/." "$corpus/"
  echo "-- $name: ${seconds}s"
  if ! "$bin" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 "$corpus" >"$build/$name.log" 2>&1; then
    echo "FINDING in $name:"; tail -n 60 "$build/$name.log"; status=1
  else
    grep -E "stat::number_of_executed_units|Done" "$build/$name.log" | tail -n 2
  fi
  rm -rf "$corpus"
done
exit $status
