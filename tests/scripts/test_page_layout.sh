#!/usr/bin/env bash
# Page layout of the PDFs and of the HTML pages printed from Chromium, read back per page with
# pdftotext (tests/scripts/pdf_pages.py): no page of a document holds fewer than three body lines
# besides its footer (users saw a last page holding one table row), six on chargeback's own PDFs
# (the shadow data invoice ended on a page of one table's last three rows: a table of up to eight
# rows is now kept whole, like a short paragraph), and no identifier (invoice
# number, cost centre, GL account, superseded invoice) is broken across lines or cut. Looked at
# on the sample month, its shadow month, a corrected revision and a generated 50-team month; the
# 50-team index.html printed to PDF has the team table on page 1 (it printed a page blank but
# for a heading, then one holding the chart's heading alone). Without Chromium the print checks
# are skipped (exit 77 once the PDF checks pass).
set -u
bin=$1
gen=$2
scratch=$3
here=$(cd "$(dirname "$0")" && pwd)
src=${CB_SOURCE_DIR:-$here/../..}
py=/usr/bin/python3
command -v pdftotext >/dev/null 2>&1 || { echo "SKIP: pdftotext missing (poppler-utils)"; exit 77; }
[ -d "$scratch" ] && chmod -R u+w "$scratch" && rm -rf "$scratch"
mkdir -p "$scratch"
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
month=$src/sample-data/usage-2026-10.jsonl
cfg=$src/sample-data/config.json

# the identifiers of an output folder, one a line, from its report.json
ids_of() {
  "$py" - "$1/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
seen = set()
for t in r.get("teams", []):
    for k in ("invoice_number", "cost_center", "gl_account"):
        if t.get(k):
            seen.add(t[k])
    s = t.get("supersedes") or {}
    if isinstance(s, dict) and s.get("invoice_number"):
        seen.add(s["invoice_number"])
print("\n".join(sorted(seen)))
PY
}
check() { # OUT: every PDF of the folder
  local out=$1
  ids_of "$out" >"$out.ids" || { bad "$out: report.json unreadable"; return; }
  [ -s "$out.ids" ] && ok || bad "$out: no identifiers in report.json"
  if "$py" "$here/pdf_pages.py" --min-lines 6 --ids "$out.ids" "$out/summary.pdf" "$out"/teams/*.pdf \
    >"$out.pages"; then
    ok
  else
    bad "$out: $(head -n 5 "$out.pages")"
  fi
}

"$bin" render --quiet -c "$cfg" --formats pdf,json,html --out "$scratch/sample" "$month" 2>/dev/null ||
  bad "sample render failed"
check "$scratch/sample"
"$bin" render --quiet --shadow -c "$cfg" --formats pdf,json --out "$scratch/shadow" "$month" 2>/dev/null ||
  bad "shadow render failed"
check "$scratch/shadow"
# a corrected revision: the sample month signed, then rendered again with one late record
cat >"$scratch/late.jsonl" <<'JSONL'
{"request_id":"req_late_001","timestamp":"2026-10-20T10:00:00Z","model":"claude-opus-4-6","team":"engineering","project":"backend-api","user":"marco.rossi","workflow":"code-review","environment":"production","input_tokens":2000000,"output_tokens":100000,"batch":false}
JSONL
"$bin" render --quiet -c "$cfg" --formats pdf,json --out "$scratch/signed" "$month" 2>/dev/null &&
  "$bin" sign "$scratch/signed" --by "Ann Finance" >/dev/null 2>&1 &&
  "$bin" render --quiet -c "$cfg" --formats pdf,json --supersedes "$scratch/signed" \
    --out "$scratch/revision" "$month" "$scratch/late.jsonl" 2>/dev/null || bad "revision render failed"
check "$scratch/revision"
# 50 teams, 600 users: team-0009's invoice ended on a page holding one table row
"$gen" --teams 50 --records 200000 --users 600 --projects 150 >"$scratch/m50.jsonl" || bad "gen-usage failed"
"$bin" render --quiet --formats pdf,json,html --out "$scratch/m50" "$scratch/m50.jsonl" 2>/dev/null ||
  bad "50-team render failed"
check "$scratch/m50"

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "SKIP: chromium not installed (the printed HTML is not checked)"
  echo "$pass passed, $fail failed"
  [ $fail -eq 0 ] || exit 1
  exit 77
fi
print() { # HTML PDF
  timeout 180 "$chromium" --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
    --user-data-dir="$scratch/chromium" --print-to-pdf="$2" "file://$1" >/dev/null 2>&1
  [ -s "$2" ] && ok || bad "chromium printed nothing for $1"
}
print "$scratch/m50/index.html" "$scratch/index50.pdf"
print "$scratch/m50/teams/team-0009.html" "$scratch/team50.pdf"
print "$scratch/sample/index.html" "$scratch/index.pdf"
print "$scratch/sample/teams/data.html" "$scratch/data.pdf"
pdftotext -f 1 -l 1 "$scratch/index50.pdf" - 2>/dev/null | grep -q "team-0001" && ok ||
  bad "page 1 of the printed 50-team index.html has no team"
for p in index50 team50; do
  "$py" "$here/pdf_pages.py" --ids "$scratch/m50.ids" "$scratch/$p.pdf" >"$scratch/$p.pages" && ok ||
    bad "printed $p: $(head -n 5 "$scratch/$p.pages")"
done
for p in index data; do
  "$py" "$here/pdf_pages.py" --ids "$scratch/sample.ids" "$scratch/$p.pdf" >"$scratch/$p.pages" && ok ||
    bad "printed $p: $(head -n 5 "$scratch/$p.pages")"
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ] || exit 1
