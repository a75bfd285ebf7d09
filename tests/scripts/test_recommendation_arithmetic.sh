#!/usr/bin/env bash
# Every recommendation's printed equation holds to the cent: "5.15 × 50% = 2.58" and
# "47.63 × 50% × (1 − 0.1) = 21.43" are worked from the amount the sentence shows, and the
# saving report.json gives is the equation's result. Before, the saving came from the unrounded
# amount, and a fifth of the equations of a 50-team month were a cent off. Checks a generated
# month of 50 teams (every team's recommendations) and the sample month.
# Usage: test_recommendation_arithmetic.sh CHARGEBACK GEN-USAGE SCRATCH. Exits 77 (skipped)
# without python3.
set -u
. "$(dirname "$0")/common.sh"
need python3
"$gen" --records 100000 --teams 50 --users 500 --seed 3 --out "$scratch/month.jsonl" >/dev/null ||
  { echo "gen-usage failed"; exit 1; }
fail=0
for input in "$scratch/month.jsonl" "$src/sample-data/usage-2026-10.jsonl"; do
  cfg=(); [ "$input" = "$scratch/month.jsonl" ] || cfg=(-c "$src/sample-data/config.json")
  out=$scratch/out-$(basename "$input" .jsonl)
  render_to "$out" "$input" "${cfg[@]}" --formats json || { fail=1; continue; }
  python3 - "$out/report.json" <<'PY' || fail=1
import json, re, sys
from decimal import Decimal, ROUND_HALF_UP
r = json.load(open(sys.argv[1], encoding="utf-8"))
num = r"(-?[\d,]+\.\d\d)"
pct = r"([\d.]+)%"
two = re.compile(num + " × " + pct + " = " + num + r"\.")
three = re.compile(num + " × " + pct + r" × \(1 − ([\d.]+)\) = " + num + r"\.")
D = lambda s: Decimal(s.replace(",", ""))
cent = lambda x: x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
seen = bad = 0
for t in r["teams"]:
    for x in t.get("recommendations", []):
        m3, m2 = three.search(x["explanation"]), two.search(x["explanation"])
        if m3:
            a, p, q, c = D(m3[1]), Decimal(m3[2]) / 100, Decimal(m3[3]), D(m3[4])
            want = cent(a * p * (1 - q))
        elif m2:
            a, p, c = D(m2[1]), Decimal(m2[2]) / 100, D(m2[3])
            want = cent(a * p)
        else:
            continue
        seen += 1
        if want != c or D(x["saving"]) != c:
            bad += 1
            print(f"{t['team']} {x['kind']}: {x['explanation']!r} gives {want}, saving {x['saving']}")
if seen == 0:
    print(f"{sys.argv[1]}: no recommendation equation found"); sys.exit(1)
print(f"{sys.argv[1]}: {seen} equations, {bad} wrong")
sys.exit(1 if bad else 0)
PY
done
exit $fail
