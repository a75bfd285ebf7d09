#!/usr/bin/env bash
# The whole month folder appears at once (SPEC §6): a render killed with SIGKILL half-way leaves
# the previous month in the target folder byte for byte, never half a folder under the target's
# name, and the next run cleans up the killed run's temporary folder.
#
# Skipped (exit 77, with a message) only while `render` itself reports "not built yet".
# Usage: test_atomic.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1 gen=$2 scratch=$3
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
snapshot() { (cd "$1" && find . -type f -exec sha256sum {} + | LC_ALL=C sort); }
leftovers() { find "$scratch/out" -mindepth 1 -maxdepth 1 -name ".$1.*" | wc -l; }

[ -d "$scratch" ] && chmod -R u+w "$scratch" && rm -rf "$scratch"
mkdir -p "$scratch/out"
target=$scratch/out/2026-10

# A small month: the "earlier" render that must survive.
cat >"$scratch/small.jsonl" <<'EOF'
{"request_id":"r1","timestamp":"2026-10-01T09:00:00Z","model":"claude-sonnet-4-6","input_tokens":1200,"output_tokens":300,"team":"data","project":"etl","user":"ana"}
{"request_id":"r2","timestamp":"2026-10-02T10:00:00Z","model":"claude-haiku-4-5","input_tokens":800,"output_tokens":90,"team":"web","project":"site","user":"bo"}
{"request_id":"r3","timestamp":"2026-10-03T11:00:00Z","model":"claude-opus-4-1","input_tokens":5000,"output_tokens":700,"team":"data","project":"etl","user":"cy"}
EOF
formats=html,pdf,xlsx,json,csv
"$bin" render --quiet --formats $formats --month 2026-10 --out "$target" "$scratch/small.jsonl" \
  >/dev/null 2>"$scratch/stderr"
st=$?
if [ $st -ne 0 ] && grep -q "not built yet" "$scratch/stderr"; then
  echo "SKIP: render is not built yet ($(head -n1 "$scratch/stderr")); atomic output not tested"
  exit 77
fi
if [ $st -ne 0 ]; then
  bad "small render failed (exit $st): $(cat "$scratch/stderr")"
  echo "$pass passed, $fail failed"
  exit 1
fi
[ -f "$target/report.json" ] && ok || bad "small render wrote no report.json"
before=$(snapshot "$target")

# A big month for the same target: gen-usage when it answers, else an awk generator of the same
# record format. Many teams make the write phase long enough to be caught in the act.
big=$scratch/big.jsonl
if "$gen" --help >/dev/null 2>&1 && "$gen" --month 2026-10 --records 400000 --teams 300 >"$big" 2>/dev/null &&
   head -n1 "$big" | grep -q '"timestamp"'; then
  echo "big month from gen-usage: $(wc -l <"$big") records"
else
  awk 'BEGIN {
    split("claude-sonnet-4-6 claude-haiku-4-5 claude-opus-4-1", m, " ");
    for (i = 0; i < 400000; i++)
      printf("{\"request_id\":\"b%d\",\"timestamp\":\"2026-10-%02dT%02d:%02d:00Z\",\"model\":\"%s\",\"input_tokens\":%d,\"output_tokens\":%d,\"team\":\"team-%03d\",\"project\":\"p%d\",\"user\":\"u%d\"}\n",
             i, 1 + i % 31, i % 24, i % 60, m[1 + i % 3], 100 + i % 5000, 10 + i % 700, i % 300, i % 40, i % 900);
  }' >"$big"
  echo "big month from awk (gen-usage did not answer): $(wc -l <"$big") records"
fi

# Run 1: kill as soon as the run's temporary folder appears (mid-write), else at half the time a
# full run takes.
start=$(date +%s%N)
"$bin" render --quiet --formats $formats --month 2026-10 --out "$scratch/out/full" "$big" \
  >/dev/null 2>"$scratch/stderr-full"
full_st=$? full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "a full render of the big month takes ${full_ms} ms (exit $full_st)"

"$bin" render --quiet --formats $formats --month 2026-10 --out "$target" "$big" >/dev/null 2>&1 &
pid=$!
caught=""
deadline=$(( $(date +%s%N) / 1000000 + full_ms * 3 + 5000 ))
while kill -0 $pid 2>/dev/null; do
  if [ -n "$(find "$scratch/out" -mindepth 1 -maxdepth 1 -name '.2026-10.tmp-*' 2>/dev/null)" ]; then
    # Let it write a little into the temporary folder first.
    sleep 0.05
    kill -KILL $pid 2>/dev/null && caught="while writing the temporary folder"
    break
  fi
  if [ $(( $(date +%s%N) / 1000000 )) -gt $deadline ]; then kill -KILL $pid; caught="at the deadline"; break; fi
  sleep 0.005
done
wait $pid 2>/dev/null; st=$?
if [ -n "$caught" ]; then
  echo "killed $caught (exit $st)"
  [ $st -eq 137 ] && ok || bad "render was not killed by SIGKILL (exit $st)"
  after=$(snapshot "$target")
  [ "$before" = "$after" ] && ok || bad "the earlier month changed after a killed render"
else
  echo "note: the render finished (exit $st) before its temporary folder was seen"
fi

# Run 2: kill at half the time of a full run (usually still reading).
"$bin" render --quiet --formats $formats --month 2026-10 --out "$target" "$big" >/dev/null 2>&1 &
pid=$!
sleep "$(awk -v ms="$full_ms" 'BEGIN { printf("%.3f", ms / 2000) }')"
kill -KILL $pid 2>/dev/null
wait $pid 2>/dev/null; st=$?
if [ $st -eq 137 ]; then
  ok
  after=$(snapshot "$target")
  [ "$before" = "$after" ] && ok || bad "the earlier month changed after a render killed at half time"
else
  echo "note: the half-time render ended by itself (exit $st)"
fi

# Never a half folder under the target's name: it is the old month or nothing else.
[ -f "$target/report.json" ] && ok || bad "target lost its report.json"
[ "$(find "$scratch/out" -mindepth 1 -maxdepth 1 -name '2026-10*' | wc -l)" -eq 1 ] && ok ||
  bad "unexpected folders beside the target: $(ls -a "$scratch/out")"
echo "temporary folders left by killed runs: $(leftovers 2026-10)"

# The next run cleans them up and writes the same month again, byte for byte.
"$bin" render --quiet --formats $formats --month 2026-10 --out "$target" "$scratch/small.jsonl" \
  >/dev/null 2>"$scratch/stderr"
st=$?
[ $st -eq 0 ] && ok || bad "render after the kills failed (exit $st): $(cat "$scratch/stderr")"
[ "$(leftovers 2026-10)" -eq 0 ] && ok || bad "stale temporary folders survived the next run: $(ls -a "$scratch/out")"
again=$(snapshot "$target")
[ "$before" = "$again" ] && ok || bad "re-rendering the same month gave different bytes"

rm -f "$big"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
