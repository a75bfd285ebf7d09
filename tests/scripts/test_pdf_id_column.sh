#!/usr/bin/env bash
# The summary PDF's invoice numbers read at one size down the column: a shadow month's
# (SHADOW-ACME-2026-10-ENGINEERING is wider than the column at the body size) were each shrunk
# only as far as it needed, so the column mixed five sizes. pdftotext -bbox gives every word's
# height; the invoice numbers of the sample's summary must share one, the body size of the cost
# centres beside them, in an ordinary month (which all fit) and in a shadow month, whose column
# widens into the team and cost centre columns (at 6.4 pt they were too small to read).
# Usage: test_pdf_id_column.sh CHARGEBACK GEN-USAGE SCRATCH. Exits 77 (skipped) without
# pdftotext or python3.
set -u
. "$(dirname "$0")/common.sh"
need pdftotext python3
data=$src/sample-data
fail=0
for mode in shadow billing; do
  flag=; [ $mode = shadow ] && flag=--shadow
  render_to "$scratch/$mode" "$data/usage-2026-10.jsonl" $flag --formats pdf -c "$data/config.json" ||
    { fail=1; continue; }
  pdftotext -bbox -f 1 -l 1 "$scratch/$mode/summary.pdf" "$scratch/$mode.bbox.html"
  python3 - "$scratch/$mode.bbox.html" "$mode" <<'PY' || fail=1
import re, sys
words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                   open(sys.argv[1], encoding="utf-8").read())
def heights(pred):
    return sorted({round(float(y1) - float(y0), 2) for x0, y0, x1, y1, w in words if pred(w)})
inv = heights(lambda w: re.match(r"(SHADOW-)?ACME-2026-10-[A-Z]+$", w))
cc = heights(lambda w: re.match(r"[A-Z]+-00[0-9]$", w))
if not inv:
    print(f"{sys.argv[2]}: no invoice numbers found on page 1"); sys.exit(1)
if len(inv) != 1:
    print(f"{sys.argv[2]}: invoice numbers at {len(inv)} sizes (word heights {inv})"); sys.exit(1)
if inv != cc:
    print(f"{sys.argv[2]}: invoice numbers {inv} but cost centres {cc}: the column widens to set"
          " them at the body size"); sys.exit(1)
print(f"{sys.argv[2]}: invoice numbers at one size (height {inv[0]}), cost centres {cc}")
PY
done
exit $fail
