#!/usr/bin/env bash
# Chart labels of long team names are cut in the middle, so names that differ only at their end
# stay apart: three teams named "Finance Operations and Internal Controls Automation 18", "... 28"
# and "... 38" were all drawn "Finance Operations and Internal..." in the spend chart of
# index.html and summary.pdf. Renames three of the sample's teams so, and checks that their
# labels in both charts are three different texts, each with the name's last word.
# Usage: test_chart_labels.sh CHARGEBACK GEN-USAGE SCRATCH. Exits 77 (skipped) without
# pdftotext or python3.
set -u
. "$(dirname "$0")/common.sh"
need pdftotext python3
python3 - "$src/sample-data/config.json" "$scratch/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1], encoding="utf-8"))
teams = c["teams"]
items = list(teams.values()) if isinstance(teams, dict) else teams
for t, n in zip(items[:3], (18, 28, 38)):
    t["name"] = f"Finance Operations and Internal Controls Automation {n}"
json.dump(c, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
render_to "$scratch/out" "$src/sample-data/usage-2026-10.jsonl" --formats html,pdf \
  -c "$scratch/config.json" || exit 1
pdftotext -layout -f 1 -l 1 "$scratch/out/summary.pdf" "$scratch/summary.txt"
python3 - "$scratch/out/index.html" "$scratch/summary.txt" <<'PY'
import html, re, sys
fail = False
svg = open(sys.argv[1], encoding="utf-8").read()
labels = sorted({html.unescape(m) for m in re.findall(r">([^<>]*Finance[^<>]*)</text>", svg)})
pdf = [re.split(r"\s{2,}", l.strip())[0] for l in open(sys.argv[2], encoding="utf-8")
       if l.strip().startswith("Finance") and "\u2026" in l]
for where, got in (("index.html chart", labels), ("summary.pdf chart", sorted(set(pdf)))):
    ends = sorted(g.split()[-1] for g in got)
    if len(got) != 3 or ends != ["18", "28", "38"]:
        print(f"{where}: labels {got}"); fail = True
    else:
        print(f"{where}: {got}")
sys.exit(1 if fail else 0)
PY
