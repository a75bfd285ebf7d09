#!/usr/bin/env bash
# report.json is indented up to 10,000 teams and compact (one line) above, where the indented form
# would be most of the run and of the disk (SPEC §7 leaves the layout open; README "Scale" says
# where the line is). Both must parse to the same report, and the same month twice gives the same
# bytes.
# Usage: test_report_json_compact.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1
scratch=$3
py=/usr/bin/python3
[ -x "$py" ] || { echo "skip: $py missing"; exit 77; }
rm -rf "$scratch" && mkdir -p "$scratch"
fail=0
month() { # N: a month of exactly N teams, one record each
  "$py" - "$1" <<'EOF2'
import sys
for i in range(int(sys.argv[1])):
    print('{"timestamp":"2026-10-%02dT10:00:00Z","model":"claude-haiku-4-5","team":"t%05d","input_tokens":%d,"output_tokens":10}'
          % (1 + i % 28, i, 1000 + i))
EOF2
}
month 10000 >"$scratch/at.jsonl"
month 10001 >"$scratch/above.jsonl"
for m in at above; do
  "$bin" render --quiet --formats json --out "$scratch/$m" "$scratch/$m.jsonl" 2>"$scratch/$m.err" ||
    { echo "FAIL: render $m: $(head -c 300 "$scratch/$m.err")"; fail=1; }
done
lines_at=$(wc -l <"$scratch/at/report.json")
lines_above=$(wc -l <"$scratch/above/report.json")
[ "$lines_at" -gt 10000 ] || { echo "FAIL: 10,000 teams: report.json has $lines_at lines, expected indented"; fail=1; }
[ "$lines_above" -eq 1 ] || { echo "FAIL: 10,001 teams: report.json has $lines_above lines, expected one"; fail=1; }
"$py" - "$scratch/at/report.json" "$scratch/above/report.json" <<'EOF2' || fail=1
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert len(a["teams"]) == 10000 and len(b["teams"]) == 10001, (len(a["teams"]), len(b["teams"]))
# the compact report holds the same fields, team for team
for k in a:
    assert k in b, k
assert [t["team"] for t in b["teams"][:10000]] == [t["team"] for t in a["teams"]]
assert set(a["teams"][0]) == set(b["teams"][0])
print("report.json: indented at 10,000 teams, compact at 10,001, same fields")
EOF2
"$bin" render --quiet --formats json --out "$scratch/again" "$scratch/above.jsonl" 2>/dev/null
cmp -s "$scratch/above/report.json" "$scratch/again/report.json" || { echo "FAIL: compact report.json differs between two runs"; fail=1; }
exit $fail
