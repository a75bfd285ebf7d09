#!/usr/bin/env bash
# focus.csv against the FinOps Foundation's FOCUS 1.2 rule set (../shared/conformance/focus/),
# evaluated by tests/focus/focus_check.py: the checker's own unit tests first, then the sample
# month under all four chargeback models, a shadow month and a corrected revision (--supersedes
# of a signed month). Each must have zero MUST failures and exactly the SHOULD failures listed
# below; Σ BilledCost per InvoiceId must equal that invoice's total, and Σ BilledCost the
# month's totals.charged (billing months; a shadow month bills 0 and its EffectiveCost adds up).
# Usage: test_focus.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1
scratch=$3
src=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
py=/usr/bin/python3
rules=$src/../shared/conformance/focus/model-1.2.json
[ -x "$py" ] || { echo "skip: $py missing"; exit 77; }
[ -f "$rules" ] || { echo "skip: $rules missing"; exit 77; }
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }

# SHOULD failures the files are expected to keep, with the reason. None today: every
# RECOMMENDED column is written (ChargeFrequency, ServiceSubcategory, InvoiceId) and every
# unit follows the UnitFormat ("1000000 Tokens", "Tokens", "1000 Searches", "Calls").
expected_should=""

[ -d "$scratch" ] && chmod -R u+w "$scratch" && rm -rf "$scratch"
mkdir -p "$scratch"

if "$py" "$src/tests/focus/test_focus_check.py" >"$scratch/unit.txt" 2>&1; then ok; else
  bad "focus_check unit tests:"; cat "$scratch/unit.txt"; fi

# check DIR LABEL: the rule set, then the sums against report.json.
check() {
  local dir=$1 what=$2
  "$py" "$src/tests/focus/focus_check.py" --model "$rules" "$dir/focus.csv" >"$scratch/check.txt"
  local st=$?
  [ $st -eq 0 ] && ok || { bad "$what: focus_check exit $st"; cat "$scratch/check.txt"; }
  local should
  should=$(sed -n 's/^failed SHOULD: *//p' "$scratch/check.txt")
  [ "$should" = "$expected_should" ] && ok || { bad "$what: SHOULD failures \"$should\", want \"$expected_should\""; cat "$scratch/check.txt"; }
  "$py" - "$dir" "$what" <<'EOF' && ok || bad "$what: sums"
import csv, json, sys
from decimal import Decimal as D
d, what = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(d + "/focus.csv", newline="", encoding="utf-8")))
rep = json.load(open(d + "/report.json", encoding="utf-8"))
shadow = rep["mode"] == "shadow"
col = "EffectiveCost" if shadow else "BilledCost"
per = {}
for r in rows:
    per[r["InvoiceId"]] = per.get(r["InvoiceId"], D(0)) + D(r[col])
bad = 0
for t in rep["teams"]:
    if per.pop(t["invoice_number"], D(0)) != D(t["total"]):
        print("%s: %s of %s = %s, invoice total %s" % (what, col, t["invoice_number"],
              per.get(t["invoice_number"]), t["total"])); bad += 1
if per:
    print("%s: rows of unknown invoices %s" % (what, sorted(per))); bad += 1
total = sum(D(r[col]) for r in rows)
if total != D(rep["totals"]["charged"]):
    print("%s: sum %s %s, totals.charged %s" % (what, col, total, rep["totals"]["charged"])); bad += 1
if shadow and any(D(r["BilledCost"]) != 0 for r in rows):
    print("%s: a shadow month bills nothing, BilledCost must be 0" % what); bad += 1
usage = [r for r in rows if r["ChargeCategory"] == "Usage" and r["x_LineKind"] != "tier"]
if not usage:
    print("%s: no per-model usage rows" % what); bad += 1
revision = rep.get("revision", 1) > 1
if any((r["ChargeClass"] == "Correction") != revision for r in rows):
    print("%s: ChargeClass must be Correction exactly on a revision" % what); bad += 1
sys.exit(1 if bad else 0)
EOF
}

cfg=$src/sample-data/config.json
month=$src/sample-data/usage-2026-10.jsonl
# --model tiered is checked like a configured tiered model: it needs tiers.
"$py" -c 'import json,sys; c=json.load(open(sys.argv[1])); c["chargeback"]["tiers"]=[{"up_to":1000000,"per_million":"15.00"},{"per_million":"10.00"}]; json.dump(c,open(sys.argv[2],"w"))' "$cfg" "$scratch/tiered-config.json"
for m in usage fixed hybrid tiered; do
  mcfg=$cfg; [ $m = tiered ] && mcfg=$scratch/tiered-config.json
  if "$bin" render --quiet --formats json,focus --model $m -c "$mcfg" --out "$scratch/$m" "$month" 2>"$scratch/stderr"; then
    ok; check "$scratch/$m" "model $m"
  else bad "render --model $m: $(cat "$scratch/stderr")"; fi
done
if "$bin" render --quiet --shadow --formats json,focus -c "$cfg" --out "$scratch/shadow" "$month" 2>"$scratch/stderr"; then
  ok; check "$scratch/shadow" "shadow month"
else bad "render --shadow: $(cat "$scratch/stderr")"; fi

# A corrected revision: sign the month, then render --supersedes it with one more record.
signed=$scratch/out/2026-10
if "$bin" render --quiet --formats json,focus -c "$cfg" --out "$signed" "$month" 2>"$scratch/stderr" &&
   "$bin" keygen --force --out "$scratch/key" >/dev/null 2>&1 &&
   SOURCE_DATE_EPOCH=1793491200 "$bin" sign "$signed" --by "Ann Finance" --key "$scratch/key" >/dev/null 2>"$scratch/stderr"; then
  ok
  printf '{"request_id":"late-1","timestamp":"2026-10-30T10:00:00Z","model":"claude-sonnet-4-6","input_tokens":1000000,"output_tokens":20000,"team":"data"}\n' >"$scratch/late.jsonl"
  if "$bin" render --quiet --formats json,focus -c "$cfg" --supersedes "$signed" "$month" "$scratch/late.jsonl" 2>"$scratch/stderr"; then
    ok; check "$signed-r2" "revision"
  else bad "render --supersedes: $(cat "$scratch/stderr")"; fi
else bad "render and sign the month: $(cat "$scratch/stderr")"; fi

echo "test_focus: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
