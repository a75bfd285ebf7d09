#!/usr/bin/env bash
# chargeback rollup-sql --engine duckdb (SPEC §2.4): the printed query, run by DuckDB
# (@duckdb/node-api from npm, installed into tools/node_modules by tools/install-deps.sh), rolls
# raw logs up so that the invoices rendered from the roll-up equal those from the raw logs to the
# cent: the sample month, and a generated month with every field (gen-usage --shape mixed) plus
# a second file of the variants gen-usage does not write (fast mode, US inference, long prompts by
# channel spelling, pre-aggregated rows, offsets across midnight, duplicates across files, and a
# row of each kind the tool rejects).
# Usage: test_rollup_duckdb.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1 gen=$2 scratch=$3
src=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
run=$src/tools/duckdb-run.mjs
fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
command -v node >/dev/null || { echo "FAIL: node is not installed (tools/install-deps.sh)"; exit 1; }
[ -d "$src/tools/node_modules/@duckdb/node-api" ] ||
  { echo "FAIL: DuckDB is not installed: run tools/install-deps.sh"; exit 1; }
rm -rf "$scratch" && mkdir -p "$scratch/in"
cfg=(-c "$src/sample-data/config.json")

# roll NAME GLOB RAW...: the roll-up of GLOB against the raw files, both rendered --formats json
roll() {
  local name=$1 glob=$2; shift 2
  "$bin" rollup-sql --engine duckdb --input "$glob" --output "$scratch/$name-rollup.jsonl" \
    >"$scratch/$name.sql" || { bad "$name: rollup-sql failed"; return; }
  node "$run" "$scratch/$name.sql" >/dev/null 2>"$scratch/$name.duckdb.err" ||
    { bad "$name: DuckDB failed: $(head -c 600 "$scratch/$name.duckdb.err")"; return; }
  "$bin" render --quiet --formats json --month 2026-10 "${cfg[@]}" --out "$scratch/$name-raw" "$@" \
    2>/dev/null
  "$bin" render --quiet --formats json --month 2026-10 "${cfg[@]}" --out "$scratch/$name-roll" \
    "$scratch/$name-rollup.jsonl" 2>/dev/null
  [ -f "$scratch/$name-raw/report.json" ] && [ -f "$scratch/$name-roll/report.json" ] ||
    { bad "$name: a render failed"; return; }
  python3 "$src/tests/rollup/compare_reports.py" "$scratch/$name-raw/report.json" \
    "$scratch/$name-roll/report.json" || bad "$name: the invoices differ"
  local raw_n roll_n
  raw_n=$(cat "$@" | wc -l) roll_n=$(wc -l <"$scratch/$name-rollup.jsonl")
  echo "$name: $raw_n raw lines -> $roll_n roll-up rows"
  [ "$roll_n" -gt 0 ] || bad "$name: the roll-up is empty"
}

# 1. the sample month
cp "$src/sample-data/usage-2026-10.jsonl" "$scratch/in/sample.jsonl"
roll sample "$scratch/in/sample.jsonl" "$scratch/in/sample.jsonl"

# 2. a generated month with every field, and a second file of variants
mkdir -p "$scratch/mixed"
"$gen" --records 20000 --shape mixed --seed 19 --bad-lines 10 --outside 6 --dup-rate 0.01 \
  --out "$scratch/mixed/a-month.jsonl" || bad "gen-usage failed"
first_id=$(head -n 1 "$scratch/mixed/a-month.jsonl" | sed 's/.*"request_id":"\([^"]*\)".*/\1/')
cat >"$scratch/mixed/b-variants.jsonl" <<EOF
{"request_id":"x1","timestamp":"2026-10-08T10:00:00Z","model":"claude-haiku-5-5","input_tokens":150000,"output_tokens":2000,"team":"data"}
{"request_id":"x2","timestamp":"2026-10-08T11:00:00Z","model":"claude-haiku-5-5","input_tokens":90000,"cache_read_input_tokens":20000,"output_tokens":100,"team":"data"}
{"request_id":"x3","timestamp":"2026-10-08T12:00:00Z","model":"claude-haiku-5-5","input_tokens":100000,"output_tokens":100,"team":"data"}
{"request_id":"x4","timestamp":"2026-10-09T12:00:00Z","model":"us.anthropic.claude-haiku-5-5-20261007-v1:0","input_tokens":120000,"output_tokens":10,"team":"research"}
{"request_id":"x5","timestamp":"2026-10-09T13:00:00Z","model":"claude-haiku-5-5@20261007","usage":{"input_tokens":130000,"output_tokens":10},"tags":{"team":"research"}}
{"date":"2026-10-09","model":"claude-haiku-5-5","requests":10,"long_prompt":true,"input_tokens":1500000,"output_tokens":1000,"team":"research"}
{"date":"2026-10-10","model":"claude-haiku-5-5","requests":4,"input_tokens":800000,"output_tokens":1000,"team":"research"}
{"request_id":"x8","timestamp":"2026-10-10T12:00:00Z","model":"claude-opus-4-6","speed":"fast","input_tokens":1000,"output_tokens":500,"team":"product"}
{"request_id":"x9","timestamp":"2026-10-10T12:05:00Z","model":"claude-opus-4-6","usage":{"speed":"fast","inference_geo":"us","input_tokens":2000,"output_tokens":700,"service_tier":"batch"},"metadata":{"team":"product","project":"specs"}}
{"request_id":"x10","timestamp":"2026-10-11T08:00:00Z","model":"claude-sonnet-4-6","inference_geo":"us","batch":true,"input_tokens":5000,"output_tokens":400,"team":"engineering","api_key_id":"k1","workspace_id":"w1","account_id":"a1"}
{"request_id":"x11","timestamp":"2026-10-11T09:00:00Z","model":"claude-haiku-4-5","inference_geo":"not_available","input_tokens":5000,"output_tokens":400,"team":"","tags":{"team":"data"},"metadata":{"team":"support"}}
{"request_id":"x12","timestamp":"2026-10-31T23:30:00-02:00","model":"claude-sonnet-4-6","input_tokens":7000,"output_tokens":10,"team":"data"}
{"request_id":"x13","timestamp":"2026-10-01T01:00:00+03:00","model":"claude-sonnet-4-6","input_tokens":7100,"output_tokens":10,"team":"data"}
{"request_id":"x14","timestamp":"2026-10-15T23:59:60Z","model":"claude-sonnet-4-6","input_tokens":7200,"output_tokens":10,"team":"data"}
{"request_id":"x15","timestamp":"2026-10-16t10:00:00.5z","model":"claude-sonnet-4-6","input_tokens":7300,"output_tokens":10,"team":"data"}
{"request_id":"x16","timestamp":"2026-10-17T10:00:00Z","model":"claude-sonnet-4-6","input_tokens":100,"output_tokens":10,"cache_creation_input_tokens":1000,"cache_creation":{"ephemeral_1h_input_tokens":300},"usage":{"skill_invocations":3,"mcp_operations":4,"server_tool_use":{"web_search_requests":2}},"team":"support"}
{"request_id":"x1","timestamp":"2026-10-18T10:00:00Z","model":"claude-haiku-5-5","input_tokens":999999,"output_tokens":2000,"team":"data"}
{"request_id":"$first_id","timestamp":"2026-10-18T10:00:00Z","model":"claude-opus-4-6","input_tokens":999999,"output_tokens":2000,"team":"data"}
{"request_id":"x20","timestamp":"2026-10-19T10:00:00Z","model":"claude-sonnet-4-6","input_tokens":"many","output_tokens":1,"team":"data"}
{"request_id":"x20","timestamp":"2026-10-19T10:00:00Z","model":"claude-sonnet-4-6","input_tokens":321,"output_tokens":1,"team":"data"}
{"timestamp":"2026-10-19T10:00:00Z","model":"claude-sonnet-4-6","input_tokens":10,"output_tokens":-5,"team":"data"}
{"timestamp":"2026-10-19T10:00:00Z","model":"claude-sonnet-4-6","input_tokens":1.5,"output_tokens":5,"team":"data"}
{"timestamp":"2026-10-19T10:00:00Z","model":"claude-sonnet-4-6","input_tokens":2000000000000,"output_tokens":5,"team":"data"}
{"timestamp":"2026-10-32T10:00:00Z","model":"claude-sonnet-4-6","input_tokens":10,"output_tokens":5,"team":"data"}
{"timestamp":"2026-10-19T10:00:00Z","input_tokens":10,"output_tokens":5,"team":"data"}
{"timestamp":"2026-10-19T10:00:00Z","model":"claude-sonnet-4-6","input_tokens":10,"output_tokens":5,"team":5}
{"timestamp":"2026-10-19T10:00:00Z","model":"claude-sonnet-4-6","input_tokens":10,"output_tokens":5,"usage":5,"team":"data"}
{"timestamp":"2026-10-19T10:00:00Z","model":"claude-sonnet-4-6","input_tokens":10,"output_tokens":5,"speed":"turbo","team":"data"}
{"timestamp":"2026-10-19T10:00:00Z","model":"claude-sonnet-4-6","input_tokens":10,"output_tokens":5,"requests":0,"team":"data"}
{"timestamp":"2026-10-19T10:00:00Z","model":"claude-sonnet-4-6","input_tokens":null,"usage":{"input_tokens":10},"output_tokens":5,"team":"data"}
{"timestamp":"2026-10-19T10:00:00Z","model":"claude-nonexistent-9","input_tokens":10,"output_tokens":5,"team":"data"}
{"timestamp":"2026-10-19T10:00:00Z","model":"claude-haiku-4-5","speed":"fast","input_tokens":10,"output_tokens":5,"team":"data"}
{"timestamp":"2026-10-19T10:00:00Z","model":"claude-sonnet-4-6","batch":"yes","input_tokens":10,"output_tokens":5,"team":"data"}
not json at all
[1, 2]
EOF
# the built-in configuration (usage model): one invoice line per model x token class x variant
cfg=()
roll mixed "$scratch/mixed/*.jsonl" "$scratch/mixed/a-month.jsonl" "$scratch/mixed/b-variants.jsonl"
# the variants really were billed as such (a check that the month above exercised them)
python3 - "$scratch/mixed-raw/report.json" <<'PY' || bad "the variant month lacks a variant"
import json, sys
r = json.load(open(sys.argv[1]))
lines = [l for t in r["teams"] for l in t["lines"]]
need = {"band": "long_prompt", "speed": "fast", "inference_geo": "us", "batch": True}
for k, v in need.items():
    if not any(l.get(k) == v for l in lines):
        sys.exit("no invoice line with %s = %s" % (k, v))
kinds = sorted({l.get("kind") for l in lines})
if not any("1h" in str(k) for k in kinds):
    sys.exit("no 1-hour cache write line among %s" % kinds)
PY
[ $fail -eq 0 ] && echo "test_rollup_duckdb: ok"
[ $fail -eq 0 ]
