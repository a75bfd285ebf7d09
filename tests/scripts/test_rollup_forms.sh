#!/usr/bin/env bash
# chargeback rollup-sql --engine spark|bigquery: no engine here runs them, so they are compared
# with the DuckDB form (which test_rollup_duckdb.sh runs) clause by clause; and a bad engine,
# a missing option and a quote in a path are handled.
# Usage: test_rollup_forms.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1 scratch=$3
src=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
rm -rf "$scratch" && mkdir -p "$scratch"
for e in duckdb spark bigquery; do
  "$bin" rollup-sql --engine $e --input "logs/2026-10-*.jsonl" --output "gs://b/o'ut/*.json" \
    >"$scratch/$e.sql" || bad "rollup-sql --engine $e failed"
done
python3 "$src/tests/rollup/compare_forms.py" "$scratch/duckdb.sql" "$scratch/spark.sql" \
  "$scratch/bigquery.sql" || bad "the forms differ"
grep -q "o''ut" "$scratch/duckdb.sql" || bad "a quote in --output is not doubled"
"$bin" rollup-sql --engine spark --input x >/dev/null 2>"$scratch/err" && bad "no --output accepted"
grep -q -- "--output PATH is required" "$scratch/err" || bad "missing --output: $(cat "$scratch/err")"
[ $fail -eq 0 ] && echo "test_rollup_forms: ok"
[ $fail -eq 0 ]
