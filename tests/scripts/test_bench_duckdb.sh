#!/usr/bin/env bash
# tests/bench/bench.sh part (e) at smoke size: DuckDB runs chargeback's usage model in SQL
# (keep-first de-duplication, DECIMAL cost per record and token class, team x model x class and
# team x day) and its team totals equal report.json's list costs to the cent; openssl dgst
# -sha256 of the same file is timed beside them and both ratios are printed.
# Usage: test_bench_duckdb.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1 gen=$2 scratch=$3
src=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v node >/dev/null || { echo "FAIL: node is not installed (tools/install-deps.sh)"; exit 1; }
[ -d "$src/tools/node_modules/@duckdb/node-api" ] ||
  { echo "FAIL: DuckDB is not installed: run tools/install-deps.sh"; exit 1; }
command -v openssl >/dev/null || { echo "FAIL: openssl is not installed"; exit 1; }
build=$(dirname "$bin")
[ "$(dirname "$gen")" = "$build" ] || { echo "FAIL: chargeback and gen-usage in different folders"; exit 1; }
rm -rf "$scratch" "$scratch-smoke" && mkdir -p "$scratch"
fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
bash "$src/tests/bench/bench.sh" "$build" --smoke --parts e --scratch "$scratch" >"$scratch/table" \
  2>"$scratch/log" || bad "bench.sh --smoke --parts e exited $?: $(grep -E 'FAIL|note' "$scratch/log")"
parity=$(sed -n 's/.*team totals = report.json: \([0-9]* of [0-9]*\).*/\1/p' "$scratch/table")
case $parity in
  "") bad "no DuckDB parity row in the table" ;;
  *)
    set -- $parity
    [ "$1" = "$3" ] && [ "$3" -ge 3 ] || bad "DuckDB parity: $parity team totals equal"
    ;;
esac
grep -q '^  DuckDB / chargeback (pairs: .*target>=3x: ' "$scratch/table" || bad "no DuckDB ratio row"
grep -q '^openssl dgst -sha256 of the file ' "$scratch/table" || bad "no SHA-256 row"
# the generated SQL prices every record at DECIMAL and de-duplicates keep-first
sql=$scratch-smoke/duckdb-job.sql
grep -q 'DECIMAL(18,6)' "$sql" && grep -q 'PARTITION BY request_id ORDER BY rn) = 1' "$sql" ||
  bad "the DuckDB job in $sql lost its DECIMAL prices or keep-first de-duplication"
# the month's models were found in chargeback's price book
[ "$(grep -c "^  ('" "$sql")" -ge 1 ] || bad "no price rows in $sql"
[ $fail -eq 0 ] && echo "ok: DuckDB team totals equal report.json ($parity), both ratios printed"
[ $fail -eq 0 ]
