#!/usr/bin/env bash
# Slugs are stable (issue 17 point 8): configured teams claim their slugs first, so a stray tag
# "DATA" never takes the configured team "data"'s slug or invoice number, and a configured
# team's invoice number does not depend on what else the data holds; Windows device names
# (con, nul, com1, lpt1, ...) never become file names.
# Usage: test_slugs.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1 scratch=$3
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIP: no python3"; exit 77; }
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
[ -d "$scratch" ] && chmod -R u+w "$scratch" && rm -rf "$scratch"
mkdir -p "$scratch"
cd "$scratch" || exit 1
rec() { printf '{"timestamp":"2026-10-05T10:00:00Z","model":"claude-haiku-4-5","input_tokens":1000,"output_tokens":10,"team":"%s"}\n' "$1"; }
echo '{"teams": {"data": {"name": "Data Platform"}, "web": {}}}' >config.json
{ rec data; rec web; } >plain.jsonl
{ rec DATA; rec data; rec web; rec Data; rec con; rec NUL; rec com1; rec Lpt9; rec aux; } >stray.jsonl
for m in plain stray; do
  "$bin" render --quiet -c config.json --formats json,html --out $m $m.jsonl 2>/dev/null || bad "$m: render failed"
done
# slug and invoice number of each team, as "team slug number"
show() { "$py" -c 'import json,sys; [print(t["team"], t["slug"], t["invoice_number"]) for t in json.load(open(sys.argv[1]))["teams"]]' "$1"; }
show plain/report.json >plain.txt
show stray/report.json >stray.txt
grep -qx 'data data CB-2026-10-DATA' plain.txt && ok || { bad "plain: data"; cat plain.txt; }
grep -qx 'data data CB-2026-10-DATA' stray.txt && ok || { bad "stray: the configured team data lost its slug"; cat stray.txt; }
grep -qx 'web web CB-2026-10-WEB' stray.txt && ok || bad "stray: web"
grep -qx 'DATA data-2 CB-2026-10-DATA-2' stray.txt && ok || { bad "stray: DATA"; cat stray.txt; }
grep -qx 'Data data-3 CB-2026-10-DATA-3' stray.txt && ok || { bad "stray: Data"; cat stray.txt; }
for pair in "con con-team" "NUL nul-team" "com1 com1-team" "Lpt9 lpt9-team" "aux aux-team"; do
  set -- $pair
  grep -q "^$1 $2 " stray.txt && ok || { bad "stray: $1 should have slug $2"; cat stray.txt; }
  [ -f "stray/teams/$2.html" ] && ok || bad "no stray/teams/$2.html"
done
for name in con nul com1 lpt9 aux prn; do
  [ -e "stray/teams/$name.html" ] && bad "stray/teams/$name.html is a Windows device name" || ok
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
