#!/usr/bin/env bash
# "Notes on the data" in every document format: a month of 25 teams missing from the
# configuration warns for the first 20 and sums up the other 5 in one line; the summary's notes
# show all 21 lines, that last one included, in HTML, PDF and XLSX (they showed 20 and "and 1
# more", hiding the count). Usage: test_notes.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1 scratch=$3
src=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
py=/usr/bin/python3
[ -x "$py" ] || py=python3
command -v pdftotext >/dev/null 2>&1 || { echo "SKIP: pdftotext missing"; exit 77; }
"$py" -c 'import openpyxl' 2>/dev/null || { echo "SKIP: openpyxl missing"; exit 77; }
rm -rf "$scratch" && mkdir -p "$scratch" || exit 1
"$bin" render --quiet --formats html,pdf,xlsx --out "$scratch/out" - \
  <"$src/tests/cases/warn_many_teams/stdin" 2>"$scratch/stderr" ||
  { echo "FAIL: render"; cat "$scratch/stderr"; exit 1; }
fail=0
want='and 5 more teams are in the data but not in the configuration (25 in all)'
html=$(sed 's/<[^>]*>//g; s/&quot;/"/g; s/&#34;/"/g; s/&amp;/\&/g' "$scratch/out/index.html")
pdf=$(pdftotext -raw "$scratch/out/summary.pdf" - | tr '\n' ' ' | tr -s ' ')
xlsx=$("$py" -c '
import openpyxl, sys
wb = openpyxl.load_workbook(sys.argv[1])
print("\n".join(str(c) for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for c in r if c))
' "$scratch/out/summary.xlsx")
for f in html pdf xlsx; do
  text=${!f}
  grep -qF -- "$want" <<<"$text" || { echo "FAIL: $f notes lack: $want"; fail=1; }
  grep -qF -- 'team "t20" is in the data' <<<"$text" || { echo "FAIL: $f notes lack the 20th team"; fail=1; }
  if grep -qE 'and [0-9]+ more( notes)?: report.json lists every one' <<<"$text"; then
    echo "FAIL: $f cuts the notes"; fail=1
  fi
done
[ $fail -eq 0 ] && echo ok
exit $fail
