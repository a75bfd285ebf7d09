#!/usr/bin/env bash
# index.html lists the unallocated usage line by line, as summary.pdf and summary.xlsx do (it had
# only the one-line total): the sample month's lines there are report.json's unallocated.lines,
# in order, with the same amounts, and add up to its unallocated list cost (10.87).
# Usage: test_html_unallocated.sh CHARGEBACK GEN-USAGE SCRATCH. Exits 77 (skipped) without
# python3.
set -u
. "$(dirname "$0")/common.sh"
need python3
render_to "$scratch/out" "$src/sample-data/usage-2026-10.jsonl" -c "$src/sample-data/config.json" \
  --formats html,json || exit 1
python3 - "$scratch/out/index.html" "$scratch/out/report.json" <<'PY'
import html, json, re, sys
from decimal import Decimal as D
page = open(sys.argv[1], encoding="utf-8").read()
rep = json.load(open(sys.argv[2], encoding="utf-8"))
want = rep["unallocated"]["lines"]
at = page.find("<h2>Unallocated</h2>")
if at < 0:
    print("index.html has no Unallocated section"); sys.exit(1)
section = page[at:page.index("</section>", at)]
rows = [(html.unescape(d), a) for d, a in
        re.findall(r'<tr class="[a-z_0-9]+"><td>(.*?)</td>.*?<td class="num">([-\d,.]+)</td></tr>', section)]
got = [(d, D(a.replace(",", ""))) for d, a in rows]
exp = [(l["description"], D(l["amount"])) for l in want]
if got != exp:
    print(f"index.html lists {len(got)} lines, report.json {len(exp)}; first difference:",
          next(((g, e) for g, e in zip(got, exp) if g != e), None)); sys.exit(1)
total = sum(a for _, a in got)
if total != D(rep["unallocated"]["list_cost"]):
    print(f"lines add up to {total}, unallocated list cost {rep['unallocated']['list_cost']}"); sys.exit(1)
print(f"index.html: {len(got)} unallocated lines, adding up to {total}, as report.json")
PY
