#!/usr/bin/env bash
# What the command line says about a month (issue 16), on the sample month: render's summary
# line says "total charged" on a billing month only, and "would be charged … nothing billed" on
# a shadow month; check names the configuration it used (none: no attribution rules, so every
# request without a team tag is unallocated) and says a configuration's rules change the
# count — 787 unallocated without -c, 201 with the sample configuration, as render counts.
# Usage: test_cli_summary.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1 scratch=$3
src=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
data=$src/sample-data
rm -rf "$scratch" && mkdir -p "$scratch"
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
has() { if grep -qF -- "$2" <<<"$1"; then ok; else bad "no \"$2\" in:"; echo "$1"; fi; }
hasnt() { if grep -qF -- "$2" <<<"$1"; then bad "\"$2\" in:"; echo "$1"; else ok; fi; }

"$bin" render --formats json --config "$data/config.json" --out "$scratch/bill" \
  "$data/usage-2026-10.jsonl" >/dev/null 2>"$scratch/bill.err"
bill=$(cat "$scratch/bill.err")
has "$bill" "wrote $scratch/bill (5 teams, total charged 1,040.70 USD)"
"$bin" render --formats json --shadow --config "$data/config.json" --out "$scratch/shadow" \
  "$data/usage-2026-10.jsonl" >/dev/null 2>"$scratch/shadow.err"
shadow=$(cat "$scratch/shadow.err")
has "$shadow" "wrote $scratch/shadow (5 teams, would be charged 1,040.70 USD: shadow month, nothing billed)"
hasnt "$shadow" "total charged"

# check exits 1 on the sample month (it has rejected records on purpose)
none=$("$bin" check "$data/usage-2026-10.jsonl" 2>/dev/null)
has "$none" "configuration: none (no -c): no attribution rules and no shared pools, so every request without a team tag is unallocated"
has "$none" "unallocated: 787 requests without a team tag (a configuration's attribution rules and shared pools, -c FILE, may assign some)"
with=$("$bin" check -c "$data/config.json" "$data/usage-2026-10.jsonl" 2>/dev/null)
has "$with" "configuration: $data/config.json (10 attribution rules, 1 shared pool)"
has "$with" "unallocated: 201 requests (no team tag; no attribution rule or shared pool matched)"
has "$with" "charges.csv: a balanced journal, each invoice credited to 2990-AI-RECHARGE"
# the count check prints is the one render bills
grep -q '"requests": 201' <(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["unallocated"]))' "$scratch/bill/report.json") \
  && ok || bad "render's report.json does not count 201 unallocated requests"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
