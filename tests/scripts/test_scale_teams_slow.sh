#!/usr/bin/env bash
# 20,000 distinct team tags in a non-Latin script (they all slug to "team") render
# --formats json in seconds, not hours (issue 17 point 13: slug uniqueness was cubic and
# collecting teams quadratic; 8,000 took 296 s). The bound is generous for a loaded machine.
# `check` on the same month names 20 teams and counts the others.
# Usage: test_scale_teams_slow.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1 scratch=$3
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIP: no python3"; exit 77; }
[ -d "$scratch" ] && chmod -R u+w "$scratch" && rm -rf "$scratch"
mkdir -p "$scratch"
cd "$scratch" || exit 1
n=20000
"$py" - $n <<'EOF2'
import random, sys
n = int(sys.argv[1])
rng = random.Random(17)
seen = set()
with open("cjk.jsonl", "w", encoding="utf-8") as f:
    while len(seen) < n:
        name = "".join(chr(0x4E00 + rng.randrange(20000)) for _ in range(3))
        if name in seen:
            continue
        seen.add(name)
        f.write('{"timestamp":"2026-10-%02dT10:00:00Z","model":"claude-sonnet-4-6",'
                '"input_tokens":%d,"output_tokens":10,"team":"%s"}\n' % (1 + len(seen) % 28, 100 + len(seen), name))
EOF2
start=$(date +%s%N)
"$bin" render --quiet --formats json --out out cjk.jsonl 2>/dev/null
st=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "$n CJK teams, --formats json: exit $st, ${ms} ms"
[ $st -eq 0 ] || { echo "FAIL: render failed"; exit 1; }
"$py" - <<'EOF2' || exit 1
import json
r = json.load(open("out/report.json"))
slugs = [t["slug"] for t in r["teams"]]
assert len(r["teams"]) == 20000, len(r["teams"])
assert len(set(slugs)) == len(slugs), "slugs not unique"
assert slugs.count("team") == 1 and "team-20000" in slugs, "unexpected slugs"
EOF2
[ $ms -lt 60000 ] || { echo "FAIL: ${ms} ms is not seconds"; exit 1; }
# check names the first 20 teams and counts the rest: one line, not 20,000 names
"$bin" check cjk.jsonl >check.out 2>&1 || { echo "FAIL: check failed"; cat check.out; exit 1; }
line=$(grep '^teams:' check.out)
words=$(printf '%s\n' "$line" | awk '{print NF}')
case $line in
  *" and 19980 more (20000 teams in all; render lists every one in report.json)") ;;
  *) echo "FAIL: check's teams line: ${line:0:300}"; exit 1 ;;
esac
[ "$words" -le 40 ] || { echo "FAIL: check's teams line has $words words"; exit 1; }
echo "ok"
