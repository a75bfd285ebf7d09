#!/usr/bin/env bash
# A shared pool nothing matched this month is left out of the PDF and HTML summaries (it was a
# table of one row of zeros, "Platform RAG service 0 0 0.00 0.00%"); the summary workbook keeps
# its Shared pools sheet, so that every summary workbook has the same sheets. The sample's
# configuration (a pool for the platform-rag project) on a generated month with one project per
# team, none of them platform-rag; then the sample month itself, whose pool is used and shown.
# Usage: test_unused_pool.sh CHARGEBACK GEN-USAGE SCRATCH. Exits 77 (skipped) without pdftotext
# or python3 with openpyxl.
set -u
. "$(dirname "$0")/common.sh"
py=/usr/bin/python3
need pdftotext
"$py" -c 'import openpyxl' 2>/dev/null || { echo "python3 openpyxl missing: skipped"; exit 77; }
"$gen" --records 2000 --teams 5 --projects 1 --seed 4 --out "$scratch/month.jsonl" >/dev/null ||
  { echo "gen-usage failed"; exit 1; }
fail=0
for input in "$scratch/month.jsonl" "$src/sample-data/usage-2026-10.jsonl"; do
  out=$scratch/out-$(basename "$input" .jsonl)
  render_to "$out" "$input" -c "$src/sample-data/config.json" --formats html,pdf,xlsx ||
    { fail=1; continue; }
  want=0; [ "$input" = "$scratch/month.jsonl" ] || want=1
  html=$(grep -c "<h3>Shared pools</h3>" "$out/index.html")
  pdf=$(pdftotext -layout "$out/summary.pdf" - | grep -c "^ *Pool  ")
  sheet=$("$py" -c 'import openpyxl, sys; print(int("Shared pools" in openpyxl.load_workbook(sys.argv[1]).sheetnames))' "$out/summary.xlsx")
  echo "$(basename "$input"): HTML table $html, PDF table $pdf, workbook sheet $sheet (want $want, $want, 1)"
  [ "$html" = $want ] && [ "$pdf" = $want ] && [ "$sheet" = 1 ] || fail=1
done
exit $fail
