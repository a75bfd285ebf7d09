#!/usr/bin/env bash
# A corrected revision says what changed: the sample month is rendered, signed, and rendered
# again with --supersedes and one late record. Each team of the revision carries
# supersedes {invoice_number, previous_total, difference} in report.json, where previous_total
# is the signed month's total and difference = this total - previous total; every document (the
# team's HTML, PDF and workbook, and the three summaries) shows "Previously invoiced", "This
# revision" and "Difference to settle" with those amounts, under a "Corrected total" headline
# (not "Amount due": what is owed is the difference to settle).
# Usage: test_revision.sh CHARGEBACK GEN-USAGE SCRATCH. Exits 77 (skipped) without pdftotext or
# python3 with openpyxl.
set -u
bin=$1
scratch=$3
py=/usr/bin/python3
command -v pdftotext >/dev/null 2>&1 || { echo "pdftotext missing: skipped"; exit 77; }
"$py" -c 'import openpyxl' 2>/dev/null || { echo "python3 openpyxl missing: skipped"; exit 77; }
src=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
[ -d "$scratch" ] && chmod -R u+w "$scratch" && rm -rf "$scratch"
mkdir -p "$scratch"
fail=0
month=$src/sample-data/usage-2026-10.jsonl
cat >"$scratch/late.jsonl" <<'EOF'
{"request_id":"req_late_001","timestamp":"2026-10-20T10:00:00Z","model":"claude-opus-4-6","team":"engineering","project":"backend-api","user":"marco.rossi","workflow":"code-review","environment":"production","input_tokens":2000000,"output_tokens":100000,"batch":false}
EOF
for model in usage hybrid; do
  signed=$scratch/$model/2026-10
  if ! "$bin" render --quiet --model "$model" -c "$src/sample-data/config.json" --out "$signed" \
    "$month" 2>"$scratch/stderr"; then
    echo "FAIL: render ($model): $(cat "$scratch/stderr")"; fail=1; continue
  fi
  if ! "$bin" sign "$signed" --by "Ann Finance" >/dev/null 2>"$scratch/stderr"; then
    echo "FAIL: sign ($model): $(cat "$scratch/stderr")"; fail=1; continue
  fi
  if ! "$bin" render --quiet --model "$model" -c "$src/sample-data/config.json" \
    --supersedes "$signed" "$month" "$scratch/late.jsonl" 2>"$scratch/stderr"; then
    echo "FAIL: render --supersedes ($model): $(cat "$scratch/stderr")"; fail=1; continue
  fi
  # the hint a signed revision gives names the folder and suffix the next run really uses
  if [ "$model" = hybrid ]; then
    "$bin" sign "$signed-r2" --by "Ann Finance" >/dev/null 2>&1
    "$bin" render --quiet -c "$src/sample-data/config.json" --out "$signed-r2" "$month" 2>"$scratch/hint"
    grep -qF -- "--supersedes $signed-r2 (writes $signed-r2-r3, invoice numbers ending in -R3)" "$scratch/hint" ||
      { echo "FAIL: the hint of a signed revision: $(cat "$scratch/hint")"; fail=1; }
    chmod -R u+w "$signed-r2" && rm -f "$signed-r2/SIGNOFF.json"
  fi
  "$py" - "$signed" "$signed-r2" "$model" <<'EOF' || fail=1
import html, json, re, subprocess, sys
from decimal import Decimal
import openpyxl

old_dir, new_dir, model = sys.argv[1:4]
old = json.load(open(f"{old_dir}/report.json"))
new = json.load(open(f"{new_dir}/report.json"))
before = {t["team"]: t for t in old["teams"]}
errors = []
def grouped(s):  # "1234.56" -> "1,234.56", as the documents write money
    d = Decimal(s)
    return f"{d:,.2f}"
def text_of_html(path):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", open(path).read())))
def text_of_pdf(path):
    out = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True)
    return re.sub(r"\s+", " ", out.stdout)
def cells(path):
    wb = openpyxl.load_workbook(path)
    return [[c for c in row if c is not None] for ws in wb for row in ws.iter_rows(values_only=True)]
changed = 0
summary_html = text_of_html(f"{new_dir}/index.html")
summary_pdf = text_of_pdf(f"{new_dir}/summary.pdf")
summary_rows = cells(f"{new_dir}/summary.xlsx")
for t in new["teams"]:
    name = t["team"]
    sup = t.get("supersedes")
    if not sup:
        errors.append(f"{name}: no supersedes in report.json")
        continue
    prev = before[name]
    if sup["invoice_number"] != prev["invoice_number"]:
        errors.append(f"{name}: supersedes.invoice_number {sup['invoice_number']}, signed {prev['invoice_number']}")
    if sup["previous_total"] != prev["total"]:
        errors.append(f"{name}: previous_total {sup['previous_total']}, signed total {prev['total']}")
    diff = Decimal(t["total"]) - Decimal(prev["total"])
    if Decimal(sup["difference"]) != diff:
        errors.append(f"{name}: difference {sup['difference']}, want {diff}")
    changed += diff != 0
    amounts = [grouped(prev["total"]), grouped(t["total"]), grouped(sup["difference"])]
    labels = ["Previously invoiced", "This revision", "Difference to settle"]
    team_html = text_of_html(f"{new_dir}/teams/{t['slug']}.html")
    team_pdf = text_of_pdf(f"{new_dir}/teams/{t['slug']}.pdf")
    # a revision's headline is its corrected total, never "due" beside a difference to settle
    for fmt, text in (("HTML", team_html), ("PDF", team_pdf)):
        if "Corrected total" not in text or "Amount due" in text or "Total due" in text:
            errors.append(f"{name}: the {fmt} invoice does not head its total 'Corrected total'")
    for where, text in [("invoice HTML", team_html), ("invoice PDF", team_pdf)]:
        # each label followed by its amount, in this order
        pat = ".*?".join(re.escape(l) + r"(?: \([^)]*\))? " + re.escape(a) for l, a in zip(labels, amounts))
        if not re.search(pat, text):
            errors.append(f"{name}: {where} lacks {list(zip(labels, amounts))}")
    for where, text in [("summary HTML", summary_html), ("summary PDF", summary_pdf)]:
        # the row's three amounts side by side (a long invoice number may wrap in the PDF)
        if not re.search(r"(?<![\d.,])" + " ".join(map(re.escape, amounts)) + r"(?![\d.,])", text):
            errors.append(f"{name}: {where} lacks the row {amounts}")
    rows = cells(f"{new_dir}/teams/{t['slug']}.xlsx")
    want = {"Previously invoiced": Decimal(prev["total"]), "This revision": Decimal(t["total"])}
    for row in rows:
        if len(row) == 2 and row[0] in want and Decimal(str(row[1])).quantize(Decimal("0.01")) == want[row[0]]:
            del want[row[0]]
    if want:
        errors.append(f"{name}: invoice workbook lacks {want}")
    if not any(r[:2] == [t["name"], prev["invoice_number"]] and len(r) >= 4 and
               Decimal(str(r[2])).quantize(Decimal("0.01")) == Decimal(prev["total"]) and
               Decimal(str(r[3])).quantize(Decimal("0.01")) == Decimal(t["total"]) for r in summary_rows):
        errors.append(f"{name}: summary workbook lacks its revision row")
if changed == 0:
    errors.append("the late record changed no team's total: the test proves nothing")
for e in errors:
    print(f"FAIL ({model}): {e}")
sys.exit(1 if errors else 0)
EOF
done
chmod -R u+w "$scratch"
[ $fail = 0 ] && echo "revision: every team states its previous total and the difference"
exit $fail
