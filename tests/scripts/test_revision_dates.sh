#!/usr/bin/env bash
# A corrected revision is dated when it can be issued: never before the day the month it
# supersedes was signed (SIGNOFF.json signed_at), with the same payment terms, and still without
# the clock. The sample month is signed on 2026-11-20 (SOURCE_DATE_EPOCH at signing), then
# corrected: its issue date is 2026-11-20 and due 30 days later (45 with payment_terms_days 45)
# in report.json, charges.csv, the invoices (HTML, PDF text and the PDF's info dates, workbook)
# and the summary; SOURCE_DATE_EPOCH on the revision dates it only when later than the sign-off.
# The signed month itself keeps 2026-11-01. The revision rendered twice is the same bytes.
# Usage: test_revision_dates.sh CHARGEBACK GEN-USAGE SCRATCH. Exits 77 (skipped) without
# pdftotext, pdfinfo or python3 with openpyxl.
set -u
. "$(dirname "$0")/common.sh"
py=/usr/bin/python3
need pdftotext pdfinfo
"$py" -c 'import openpyxl' 2>/dev/null || { echo "python3 openpyxl missing: skipped"; exit 77; }
data=$src/sample-data
"$py" - "$data/config.json" "$scratch" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1], encoding="utf-8"))
c["overhead_rate"] = 0.11
json.dump(c, open(sys.argv[2] + "/fixed.json", "w", encoding="utf-8"), ensure_ascii=False)
c["invoice"]["payment_terms_days"] = 45
json.dump(c, open(sys.argv[2] + "/terms.json", "w", encoding="utf-8"), ensure_ascii=False)
EOF
fail=0
signed=$scratch/2026-10
signed_at=1795190700 # 2026-11-20T16:05:00Z
if ! "$bin" render --quiet -c "$data/config.json" --out "$signed" "$data/usage-2026-10.jsonl" 2>"$scratch/stderr" ||
   ! SOURCE_DATE_EPOCH=$signed_at "$bin" sign "$signed" --by "Ann Finance" >/dev/null 2>>"$scratch/stderr"; then
  echo "FAIL: render and sign: $(cat "$scratch/stderr")"; exit 1
fi
# NAME CONFIG SOURCE_DATE_EPOCH(or "") ISSUE DUE
cases=(
  "plain fixed.json - 2026-11-20 2026-12-20"
  "terms terms.json - 2026-11-20 2027-01-04"
  "sde_before fixed.json 1794268800 2026-11-20 2026-12-20"
  "sde_after fixed.json 1796169600 2026-12-02 2027-01-01"
)
for c in "${cases[@]}"; do
  read -r name cfg sde issue due <<<"$c"
  for out in "$scratch/$name" "$scratch/$name-again"; do
    if [ "$sde" = - ]; then
      env -u SOURCE_DATE_EPOCH "$bin" render --quiet -c "$scratch/$cfg" --supersedes "$signed" --out "$out" \
        "$data/usage-2026-10.jsonl" 2>"$scratch/stderr"
    else
      SOURCE_DATE_EPOCH=$sde "$bin" render --quiet -c "$scratch/$cfg" --supersedes "$signed" --out "$out" \
        "$data/usage-2026-10.jsonl" 2>"$scratch/stderr"
    fi || { echo "FAIL: $name: render --supersedes: $(cat "$scratch/stderr")"; fail=1; continue 2; }
  done
  diff -r "$scratch/$name" "$scratch/$name-again" >/dev/null ||
    { echo "FAIL: $name: the same revision rendered twice differs"; fail=1; }
  "$py" - "$signed" "$scratch/$name" "$name" "$issue" "$due" <<'EOF' || fail=1
import csv, json, re, subprocess, sys
import openpyxl
old_dir, d, name, issue, due = sys.argv[1:6]
errors = []
def check(cond, what):
    if not cond:
        errors.append(f"{name}: {what}")
old = json.load(open(old_dir + "/report.json"))
check(old["issue_date"] == "2026-11-01", f"the signed month is dated {old['issue_date']}")
rep = json.load(open(d + "/report.json"))
check(rep["supersedes"]["signed_at"] == "2026-11-20T16:05:00Z", f"signed_at {rep['supersedes']['signed_at']}")
check(rep["issue_date"] == issue, f"report.json issue_date {rep['issue_date']}, want {issue}")
check(rep["due_date"] == due, f"report.json due_date {rep['due_date']}, want {due}")
for r in csv.DictReader(open(d + "/charges.csv", encoding="utf-8-sig", newline="")):
    if (r["posting_date"], r["due_date"]) != (issue, due):
        check(False, f"charges.csv {r['invoice_number']} {r['kind']}: {r['posting_date']} / {r['due_date']}")
        break
def text(cmd):
    return subprocess.run(cmd, capture_output=True, text=True).stdout
for t in rep["teams"]:
    page = open(f"{d}/teams/{t['slug']}.html", encoding="utf-8").read()
    check(f"<dt>Issued</dt><dd>{issue}</dd>" in page and f"<dt>Due date</dt><dd>{due}</dd>" in page,
          f"{t['slug']}.html: no issue date {issue} and due date {due}")
    pdf = text(["pdftotext", "-layout", f"{d}/teams/{t['slug']}.pdf", "-"])
    found = sorted(set(re.findall(r"20\d\d-\d\d-\d\d", pdf)))
    check(issue in pdf and due in pdf and "2026-11-01" not in pdf, f"{t['slug']}.pdf: dates {found}")
    info = text(["pdfinfo", "-isodates", f"{d}/teams/{t['slug']}.pdf"])
    check(f"CreationDate:    {issue}T00:00:00" in info, f"{t['slug']}.pdf info: {[l for l in info.splitlines() if 'Date' in l]}")
    wb = openpyxl.load_workbook(f"{d}/teams/{t['slug']}.xlsx")
    dates = {c.value.date().isoformat() for ws in wb for row in ws.iter_rows() for c in row
             if hasattr(c.value, "date")}
    check({issue, due} <= dates and "2026-11-01" not in dates, f"{t['slug']}.xlsx: dates {sorted(dates)}")
summary = text(["pdftotext", "-layout", f"{d}/summary.pdf", "-"])
check(issue in summary and "2026-11-01" not in summary, "summary.pdf: issue date")
for e in errors:
    print("FAIL:", e)
sys.exit(1 if errors else 0)
EOF
done
chmod -R u+w "$scratch"
[ $fail = 0 ] && echo "revision dates: issued on or after the sign-off day, same payment terms"
exit $fail
