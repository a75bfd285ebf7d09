#!/usr/bin/env bash
# Big hostile inputs, made at run time (nothing large is committed); ctest label "slow", so the
# sanitizer stage skips it, and tests/valgrind.sh never runs script tests.
#   - a 100 MB single JSON Lines line (a team name of 100 MB) before a good record: rejected as
#     too long with file:line, the good record billed, memory stays small, rejected.jsonl holds
#     a bounded excerpt, and the parent of --out holds only the month folder;
#   - a JSON array whose only object carries a 100 MB string: exit 2, the message says the one
#     record read was rejected and why;
#   - a gzip bomb (200 MB of one line, 1 MB compressed): rejected as too long, small memory.
# Peak RSS comes from /usr/bin/time when it is installed.
set -u
bin=$1
scratch=$3
rm -rf "$scratch"
mkdir -p "$scratch"
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
py=/usr/bin/python3
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -f "%e s %M KB" -o "$scratch/time")
peak_kb() { [ -f "$scratch/time" ] && tail -n 1 "$scratch/time" | awk '{print $3}' || echo 0; }

$py - "$scratch" <<'EOF'
import gzip, sys
d = sys.argv[1]
head = b'{"timestamp":"2026-10-05T10:00:00Z","model":"claude-haiku-4-5","input_tokens":1,"output_tokens":1,"team":"'
good = b'{"timestamp":"2026-10-05T10:00:00Z","model":"claude-haiku-4-5","input_tokens":1,"output_tokens":1,"team":"ok"}\n'
big = 100 * 1024 * 1024
chunk = b"x" * (1 << 20)
with open(f"{d}/line.jsonl", "wb") as f:
    f.write(head)
    for _ in range(big // len(chunk)):
        f.write(chunk)
    f.write(b'"}\n' + good)
with open(f"{d}/array.json", "wb") as f:
    f.write(b"[" + head)
    for _ in range(big // len(chunk)):
        f.write(chunk)
    f.write(b'"}]')
with gzip.open(f"{d}/bomb.jsonl.gz", "wb", compresslevel=1) as f:
    for _ in range(200):
        f.write(chunk)
EOF

# 100 MB line
parent=$scratch/parent
mkdir -p "$parent"
"${timer[@]}" "$bin" render --formats json,csv --out "$parent/2026-10" "$scratch/line.jsonl" \
  >"$scratch/line.out" 2>"$scratch/line.err"
st=$?
[ $st = 0 ] && ok || { bad "100 MB line: exit $st"; head -c 2000 "$scratch/line.err"; }
grep -q 'line.jsonl:1: line of 104857[0-9]* bytes, above the limit of' "$scratch/line.err" && ok ||
  { bad "100 MB line: no file:line message"; head -c 2000 "$scratch/line.err"; }
[ "$(cd "$parent" && ls -A)" = "2026-10" ] && ok || bad "parent holds: $(ls -A "$parent")"
$py - "$parent/2026-10/report.json" <<'EOF' && ok || bad "100 MB line: counts"
import json, sys
i = json.load(open(sys.argv[1]))["inputs"]
assert (i["records_read"], i["records_billed"], i["records_rejected"]) == (2, 1, 1), i
assert i["records_read"] == i["records_billed"] + i["records_rejected"] + i["duplicates"] + i["outside_period"]
EOF
size=$(stat -c %s "$parent/2026-10/rejected.jsonl")
[ "$size" -lt 1048576 ] && ok || bad "rejected.jsonl is $size bytes"
kb=$(peak_kb)
[ "$kb" -lt 204800 ] && ok || bad "100 MB line: peak RSS $kb KB"
echo "100 MB line: $(tail -n 1 "$scratch/time" 2>/dev/null)"

# 100 MB string inside a JSON array
"${timer[@]}" "$bin" check "$scratch/array.json" >"$scratch/array.out" 2>"$scratch/array.err"
st=$?
[ $st = 2 ] && ok || { bad "array: exit $st"; head -c 2000 "$scratch/array.err"; }
grep -q 'no usage records in the inputs: 1 read, all rejected, e.g. .*array.json:1: a single JSON value longer than' \
  "$scratch/array.err" && ok || { bad "array: message"; head -c 2000 "$scratch/array.err"; }
kb=$(peak_kb)
[ "$kb" -lt 204800 ] && ok || bad "array: peak RSS $kb KB"
echo "100 MB string in an array: $(tail -n 1 "$scratch/time" 2>/dev/null)"

# gzip bomb
"${timer[@]}" "$bin" check --month 2026-10 "$scratch/bomb.jsonl.gz" >"$scratch/bomb.out" 2>"$scratch/bomb.err"
st=$?
[ $st = 1 ] && ok || { bad "bomb: exit $st"; head -c 2000 "$scratch/bomb.err"; }
grep -q 'bomb.jsonl.gz:1: line of 209715200 bytes, above the limit of' "$scratch/bomb.out" && ok ||
  { bad "bomb: message"; cat "$scratch/bomb.out"; }
kb=$(peak_kb)
[ "$kb" -lt 204800 ] && ok || bad "bomb: peak RSS $kb KB"
echo "gzip bomb (200 MB in $(stat -c %s "$scratch/bomb.jsonl.gz") bytes): $(tail -n 1 "$scratch/time" 2>/dev/null)"

rm -f "$scratch"/*.json "$scratch"/*.jsonl "$scratch"/*.gz
echo "test_hostile_slow: $pass passed, $fail failed"
[ $fail = 0 ]
