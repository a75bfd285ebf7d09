#!/usr/bin/env bash
# A corrected revision's charges.csv posts the correction, not the month a second time: finance
# imports the signed month's file, then the revision's, and the ledger must hold the revision's
# totals. The sample month (with a team "legacy" that the revision no longer has) is rendered
# and signed, then corrected with another overhead rate, another GL account for research and a
# new team "labs". Checked, with a balanced journal (journal.credit_account) and without:
# - before each team's corrected invoice, one "reversal" row of its superseded invoice: that
#   invoice's number, −(report.json teams[].supersedes.previous_total), on the account the signed
#   month posted it to, reverses_invoice naming it; with a credit account, one "credit" row
#   taking the recharge back (+previous total);
# - "legacy" gets its reversal only, "labs" (new) none;
# - per team, the rows of both files that are not credit rows add up to the revision's total,
#   to the cent, and the credit rows to −(the revision's charged total); every invoice number
#   nets to zero with a journal;
# - the revision rendered twice is the same bytes.
# Usage: test_revision_charges.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
. "$(dirname "$0")/common.sh"
py=/usr/bin/python3
need "$py"
data=$src/sample-data
legacy_team "$scratch/legacy.jsonl"
cat >"$scratch/labs.jsonl" <<'EOF'
{"request_id":"req_labs_001","timestamp":"2026-10-21T10:00:00Z","model":"claude-sonnet-4-6","team":"labs","project":"new","user":"a.b","input_tokens":1000000,"output_tokens":50000}
EOF
"$py" - "$data/config.json" "$scratch" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1], encoding="utf-8"))
out = sys.argv[2]
def dump(name, cfg):
    json.dump(cfg, open(f"{out}/{name}.json", "w", encoding="utf-8"), ensure_ascii=False)
fixed = json.loads(json.dumps(c))
fixed["overhead_rate"] = 0.11
fixed["teams"]["research"]["gl_account"] = "6431-RND"
dump("journal", c)
dump("journal-fixed", fixed)
del c["journal"], fixed["journal"]
dump("list", c)
dump("list-fixed", fixed)
EOF
fail=0
for kind in journal list; do
  signed=$scratch/$kind/2026-10
  if ! "$bin" render --quiet -c "$scratch/$kind.json" --out "$signed" "$data/usage-2026-10.jsonl" \
      "$scratch/legacy.jsonl" 2>"$scratch/stderr" ||
     ! SOURCE_DATE_EPOCH=1793700000 "$bin" sign "$signed" --by "Ann Finance" >/dev/null 2>>"$scratch/stderr"; then
    echo "FAIL: render and sign ($kind): $(cat "$scratch/stderr")"; fail=1; continue
  fi
  for out in "$signed-r2" "$scratch/$kind/again"; do
    if ! "$bin" render --quiet -c "$scratch/$kind-fixed.json" --supersedes "$signed" --out "$out" \
        "$data/usage-2026-10.jsonl" "$scratch/labs.jsonl" 2>"$scratch/stderr"; then
      echo "FAIL: render --supersedes ($kind): $(cat "$scratch/stderr")"; fail=1; continue 2
    fi
  done
  diff -r "$signed-r2" "$scratch/$kind/again" >/dev/null ||
    { echo "FAIL: ($kind) the same revision rendered twice differs"; fail=1; }
  "$py" - "$signed" "$signed-r2" "$kind" <<'EOF' || fail=1
import csv, json, sys
from decimal import Decimal as D
old_dir, new_dir, kind = sys.argv[1:4]
journal = kind == "journal"
errors = []
def check(cond, what):
    if not cond:
        errors.append(f"({kind}) {what}")
def rows_of(d):
    return list(csv.DictReader(open(d + "/charges.csv", encoding="utf-8-sig", newline="")))
old, new = json.load(open(old_dir + "/report.json")), json.load(open(new_dir + "/report.json"))
old_rows, new_rows = rows_of(old_dir), rows_of(new_dir)
for r in old_rows + new_rows:  # a file without the column reverses nothing
    r.setdefault("reverses_invoice", "")
check(list(new_rows[0])[-1] == "reverses_invoice", f"header ends {list(new_rows[0])[-2:]}")
check(all(r["reverses_invoice"] == "" for r in old_rows), "a signed month's row reverses something")
signed = {t["team"]: t for t in old["teams"]}
teams = {t["team"]: t for t in new["teams"]}
check("legacy" in signed and "legacy" not in teams, "the test needs legacy signed and gone")
check("labs" in teams and "labs" not in signed, "the test needs labs new")
credit = "2990-AI-RECHARGE"
reversals = [r for r in new_rows if r["reverses_invoice"]]
for name, t in signed.items():
    inv = t["invoice_number"]
    mine = [r for r in reversals if r["reverses_invoice"] == inv]
    check(len(mine) == (2 if journal else 1), f"{inv}: {len(mine)} reversal rows")
    for r in mine:
        check(r["invoice_number"] == inv and r["team"] == name, f"{inv}: reversal row {r['invoice_number']} {r['team']}")
        check(r["posting_date"] == new["issue_date"], f"{inv}: reversal posted {r['posting_date']}")
        check(r["quantity"] == "" and r["unit_price"] == "", f"{inv}: reversal quantity {r['quantity']!r}")
        if r["kind"] == "credit":
            check(r["gl_account"] == credit and D(r["amount"]) == D(t["total"]),
                  f"{inv}: credit reversal {r['gl_account']} {r['amount']}")
        else:
            check(r["kind"] == "reversal", f"{inv}: kind {r['kind']}")
            check(r["gl_account"] == t["gl_account"], f"{inv}: reversed on {r['gl_account']}, posted on {t['gl_account']}")
            check(r["cost_center"] == t["cost_center"], f"{inv}: cost center {r['cost_center']}")
            check(D(r["amount"]) == -D(t["total"]), f"{inv}: reversal {r['amount']}, signed total {t['total']}")
            if name in teams:  # the number comes from report.json, as every document shows it
                sup = teams[name]["supersedes"]
                check(sup["invoice_number"] == inv and D(r["amount"]) == -D(sup["previous_total"]),
                      f"{inv}: reversal {r['amount']}, supersedes {sup}")
check(len(reversals) == len(signed) * (2 if journal else 1), f"{len(reversals)} reversal rows")
check(not any(r["team"] == "labs" and r["reverses_invoice"] for r in new_rows), "labs, new, has a reversal")
check(not any(r["team"] == "legacy" and not r["reverses_invoice"] for r in new_rows),
      "legacy, gone, has rows beside its reversal")
check(signed["research"]["gl_account"] == "6430-RND" and teams["research"]["gl_account"] == "6431-RND",
      "research's GL account did not change: the test proves nothing")
# a team's reversal comes right before its corrected invoice
for i, r in enumerate(new_rows):
    if r["kind"] == "reversal" and r["team"] in teams:
        nxt = new_rows[i + (2 if journal else 1)]
        check(nxt["invoice_number"] == teams[r["team"]]["invoice_number"],
              f"{r['invoice_number']}: followed by {nxt['invoice_number']}")
# the ledger after both imports
debit, credit_side, by_invoice = {}, D(0), {}
for r in old_rows + new_rows:
    a = D(r["amount"])
    by_invoice[r["invoice_number"]] = by_invoice.get(r["invoice_number"], D(0)) + a
    if r["kind"] == "credit":
        credit_side += a
    else:
        debit[r["team"]] = debit.get(r["team"], D(0)) + a
for name in sorted(set(debit) | set(teams)):
    want = D(teams[name]["total"]) if name in teams else D(0)
    check(debit.get(name, D(0)) == want, f"{name}: both files post {debit.get(name)}, the revision says {want}")
check(sum(debit.values()) == D(new["totals"]["charged"]), f"both files post {sum(debit.values())}, charged {new['totals']['charged']}")
check(credit_side == (-D(new["totals"]["charged"]) if journal else D(0)), f"credit side {credit_side}")
if journal:
    check(all(v == 0 for v in by_invoice.values()), f"invoices not netting to zero: {[k for k, v in by_invoice.items() if v]}")
else:  # a charge list: each corrected invoice's rows add up to its total
    for t in new["teams"]:
        check(by_invoice[t["invoice_number"]] == D(t["total"]), f"{t['invoice_number']}: rows {by_invoice[t['invoice_number']]}")
before = sum(D(r["amount"]) for r in old_rows if r["kind"] != "credit")
after = sum(D(r["amount"]) for r in new_rows if r["kind"] != "credit")
print(f"({kind}) the signed month posts {before}, the revision {after:+}: together {before + after}; "
      f"the revision charges {new['totals']['charged']}")
for e in errors:
    print("FAIL:", e)
sys.exit(1 if errors else 0)
EOF
done
chmod -R u+w "$scratch"
[ $fail = 0 ] && echo "revision charges.csv: the signed month plus the revision post the corrected totals"
exit $fail
