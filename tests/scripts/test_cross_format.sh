#!/usr/bin/env bash
# The same month reads the same in every format: the sample month rendered under each
# chargeback model (and two variants: graduated tiers with unallocated usage split
# proportionally, a configured fixed pool with it split evenly); for each team's invoice and
# the summary, every money amount, percentage and factor of report.json must read the same in
# the HTML, in the PDF text and in the workbook's cells, and the summary bridge must be printed
# in every summary with the same labels in the same order (tests/scripts/xf_check.py).
# Usage: test_cross_format.sh CHARGEBACK GEN-USAGE SCRATCH. Exits 77 (skipped) without
# pdftotext or /usr/bin/python3 with openpyxl.
set -u
bin=$1
scratch=$3
py=/usr/bin/python3
command -v pdftotext >/dev/null 2>&1 || { echo "pdftotext missing: skipped"; exit 77; }
"$py" -c 'import openpyxl' 2>/dev/null || { echo "$py with openpyxl missing: skipped"; exit 77; }
src=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
rm -rf "$scratch" && mkdir -p "$scratch"
cfg=$src/sample-data/config.json
month=$src/sample-data/usage-2026-10.jsonl
"$py" - "$cfg" "$scratch" <<'EOF'
import json, sys
cfg = json.load(open(sys.argv[1]))
tiered = dict(cfg, unallocated="proportional",
              chargeback={"model": "tiered", "tier_mode": "graduated",
                          "tiers": [{"up_to": 5000000, "per_million": "4.00"},
                                    {"up_to": 20000000, "per_million": "3.00"},
                                    {"per_million": "2.00"}]})
fixed = dict(cfg, unallocated="even", chargeback={"model": "fixed", "amount": "1000.00"})
# the sample configuration is hybrid and has no tiers, which the tiered model needs (the
# override is checked like the configured model): its tiers for --model tiered
volume = dict(cfg, chargeback=dict(tiered["chargeback"], tier_mode="volume"))
for name, c in (("tiered-graduated", tiered), ("fixed-amount", fixed), ("tiers", volume)):
    json.dump(c, open(f"{sys.argv[2]}/{name}.json", "w"), ensure_ascii=False)
EOF
fail=0
run() { # NAME ARGS...: render, then check
  local name=$1; shift
  if ! "$bin" render --quiet "$@" --out "$scratch/$name" "$month" 2>"$scratch/stderr"; then
    echo "FAIL: render $name: $(cat "$scratch/stderr")"; fail=1; return
  fi
  "$py" "$src/tests/scripts/xf_check.py" "$scratch/$name" || fail=1
}
for model in usage fixed hybrid; do
  run "$model" -c "$cfg" --model "$model"
done
run tiered -c "$scratch/tiers.json" --model tiered
run tiered-graduated -c "$scratch/tiered-graduated.json"
run fixed-amount -c "$scratch/fixed-amount.json"
# a shadow month: no due date in any format
run shadow -c "$cfg" --shadow
# --previous: a generated month before (the sample's five teams and seven more, gone this
# month) read back; its month-over-month figures on every summary, in every format
gen=$2
"$gen" --month 2026-09 --teams 7 --records 20000 --seed 5 --out "$scratch/sep.jsonl" &&
  "$py" -c 'import json, sys; c = json.load(open(sys.argv[1])); c.pop("provider_invoice", None)
json.dump(c, open(sys.argv[2], "w"), ensure_ascii=False)' "$cfg" "$scratch/sep.json" &&
  "$bin" render --quiet -c "$scratch/sep.json" --formats json --out "$scratch/sep" \
    "$scratch/sep.jsonl" 2>"$scratch/stderr" || { echo "FAIL: previous month"; fail=1; }
run previous -c "$cfg" --previous "$scratch/sep"
"$py" - "$scratch/previous/report.json" <<'EOF' || fail=1
import json, sys
m = json.load(open(sys.argv[1]))["totals"].get("mom")
if not m or m["previous_month"] != "2026-09" or m["teams_gone"] < 1:
    sys.exit(f"FAIL: report.json totals.mom {m}")
EOF
# a generated month of 50 teams, some with more than 25 users or projects: every row of every
# breakdown reads the same in the three formats (the HTML pages once cut them at 25)
"$gen" --teams 50 --records 60000 --users 600 --projects 150 --seed 3 --out "$scratch/m50.jsonl" ||
  { echo "FAIL: gen-usage"; fail=1; }
month=$scratch/m50.jsonl
run fifty-teams
exit $fail
