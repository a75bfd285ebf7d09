#!/usr/bin/env bash
# The summary's "what remains to settle" table of a corrected revision adds up: one row per team
# of the revision, one per team of the signed month that the revision no longer invoices
# (previously invoiced, 0.00, −that), and a total row "All teams" with the sum of the previous
# totals (= the signed month's charged total), of the revision's totals (= its charged total)
# and of the differences — the same in index.html, summary.pdf and summary.xlsx (there as SUM
# formulas whose cached values are those sums), and in report.json supersedes
# {previous_total, total, difference, cancelled_invoices}.
# Usage: test_revision_settle_total.sh CHARGEBACK GEN-USAGE SCRATCH. Exits 77 (skipped) without
# pdftotext or python3 with openpyxl.
set -u
. "$(dirname "$0")/common.sh"
py=/usr/bin/python3
need pdftotext
"$py" -c 'import openpyxl' 2>/dev/null || { echo "python3 openpyxl missing: skipped"; exit 77; }
data=$src/sample-data
legacy_team "$scratch/legacy.jsonl"
"$py" - "$data/config.json" "$scratch/fixed.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1], encoding="utf-8"))
c["overhead_rate"] = 0.11
json.dump(c, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
EOF
signed=$scratch/2026-10
if ! "$bin" render --quiet -c "$data/config.json" --out "$signed" "$data/usage-2026-10.jsonl" \
    "$scratch/legacy.jsonl" 2>"$scratch/stderr" ||
   ! "$bin" sign "$signed" --by "Ann Finance" >/dev/null 2>>"$scratch/stderr" ||
   ! "$bin" render --quiet -c "$scratch/fixed.json" --supersedes "$signed" \
    "$data/usage-2026-10.jsonl" 2>>"$scratch/stderr"; then
  echo "FAIL: render, sign, render --supersedes: $(cat "$scratch/stderr")"; exit 1
fi
"$py" - "$signed" "$signed-r2" <<'EOF'
import html, json, re, subprocess, sys
from decimal import Decimal as D
import openpyxl
old_dir, new_dir = sys.argv[1:3]
old, new = json.load(open(old_dir + "/report.json")), json.load(open(new_dir + "/report.json"))
errors = []
def check(cond, what):
    if not cond:
        errors.append(what)
def money(s):  # as the documents write it
    return f"{D(s):,.2f}"
prev_sum = sum(D(t["total"]) for t in old["teams"])
this_sum = D(new["totals"]["charged"])
diff_sum = this_sum - prev_sum
check(prev_sum == D(old["totals"]["charged"]), "the signed month's teams do not add up")
sup = new["supersedes"]
check(D(sup.get("previous_total", "nan")) == prev_sum, f"report.json supersedes.previous_total {sup.get('previous_total')}, want {prev_sum}")
check(D(sup.get("total", "nan")) == this_sum, f"report.json supersedes.total {sup.get('total')}")
check(D(sup.get("difference", "nan")) == diff_sum, f"report.json supersedes.difference {sup.get('difference')}, want {diff_sum}")
gone = sup.get("cancelled_invoices", [])
legacy = [t for t in old["teams"] if t["team"] == "legacy"][0]
check([(g["team"], g["invoice_number"], g["previous_total"], g["difference"]) for g in gone] ==
      [("legacy", legacy["invoice_number"], legacy["total"], str(-D(legacy["total"])))],
      f"report.json supersedes.cancelled_invoices {gone}")
check(diff_sum != 0, "the correction moved nothing: the test proves nothing")
total_row = [money(prev_sum), money(this_sum), money(diff_sum)]
gone_row = [money(legacy["total"]), "0.00", money(-D(legacy["total"]))]

def settle_block(text):
    i = text.find("what remains to settle")
    j = text.find("How the charges add up", i)
    return re.sub(r"\s+", " ", text[i:j]) if i >= 0 else ""
page = html.unescape(re.sub(r"<[^>]+>", " ", open(new_dir + "/index.html", encoding="utf-8").read()))
pdf = subprocess.run(["pdftotext", "-layout", new_dir + "/summary.pdf", "-"], capture_output=True, text=True).stdout
for fmt, text in (("index.html", settle_block(page)), ("summary.pdf", settle_block(pdf))):
    check(re.search(r"All teams " + " ".join(map(re.escape, total_row)) + r"(?![\d.,])", text),
          f"{fmt}: no total row 'All teams {' '.join(total_row)}' in: {text[:600]}")
    check(re.search(r"legacy .*?" + re.escape(legacy["invoice_number"]) + " " + " ".join(map(re.escape, gone_row)), text),
          f"{fmt}: no row for legacy {gone_row}")

ws_f = openpyxl.load_workbook(new_dir + "/summary.xlsx")["Revision"]
ws_v = openpyxl.load_workbook(new_dir + "/summary.xlsx", data_only=True)["Revision"]
rows = list(ws_f.iter_rows())
last = [r for r in rows if r[0].value == "All teams"]
check(len(last) == 1, "summary.xlsx Revision: no 'All teams' row")
if last:
    r = last[0]
    for col, want in zip((2, 3, 4), (prev_sum, this_sum, diff_sum)):
        f = r[col].value
        m = re.fullmatch(r"=SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)", str(f))
        check(m, f"summary.xlsx Revision {r[col].coordinate}: {f!r} is not a SUM")
        cached = ws_v[r[col].coordinate].value
        check(cached is not None and D(str(cached)).quantize(D("0.01")) == want,
              f"summary.xlsx {r[col].coordinate}: cached {cached}, want {want}")
        if m:  # the SUM covers every row above it, team rows and the team gone
            lo, hi = int(m.group(2)), int(m.group(4))
            body = [x for x in rows if x[0].row >= lo and x[0].row <= hi]
            check(hi == r[col].row - 1 and len(body) == len(new["teams"]) + 1,
                  f"summary.xlsx {f}: {len(body)} rows, want {len(new['teams']) + 1}")
    check(any(x[0].value == "legacy" and x[1].value == legacy["invoice_number"] for x in rows),
          "summary.xlsx Revision: no row for legacy")
for e in errors:
    print("FAIL:", e)
if not errors:
    print(f"settle total: {' / '.join(total_row)} in every summary")
sys.exit(1 if errors else 0)
EOF
status=$?
chmod -R u+w "$scratch"
exit $status
