#!/usr/bin/env bash
# One thread or two (or three) give byte-identical outputs (issue 9): report.json, charges.csv
# and rejected.jsonl of a generated month with bad lines, duplicates and records outside the
# month, as JSON Lines (split among threads), gzip (read in order) and an Admin API report.
# Usage: test_ingest_threads.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1 gen=$2 scratch=$3
fail=0
bad() { echo "FAIL: $*"; fail=1; }
rm -rf "$scratch" && mkdir -p "$scratch"
src_dir=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cfg=$src_dir/sample-data/config.json
"$gen" --records 120000 --seed 7 --bad-lines 40 --outside 30 --out "$scratch/month.jsonl" || exit 1
gzip -1 -c "$scratch/month.jsonl" >"$scratch/month.jsonl.gz"
"$gen" --records 20000 --seed 7 --format admin --out "$scratch/admin.json" || exit 1
for input in month.jsonl month.jsonl.gz admin.json; do
  for t in 1 2 3; do
    out=$scratch/out-$input-$t
    (cd "$scratch" && "$bin" render --quiet --threads $t --config "$cfg" --formats json,csv \
       --out "$out" "$input") || bad "$input with $t thread(s): exit $?"
  done
  for t in 2 3; do
    for f in report.json charges.csv rejected.jsonl; do
      cmp -s "$scratch/out-$input-1/$f" "$scratch/out-$input-$t/$f" ||
        bad "$input: $f differs between 1 and $t threads"
    done
  done
done
# the counts are the generator's: 40 bad lines rejected, 30 outside the month
grep -q '"records_rejected": 40' "$scratch/out-month.jsonl-1/report.json" ||
  bad "expected 40 rejected records in report.json"
grep -q '"outside_period": 30' "$scratch/out-month.jsonl-1/report.json" ||
  bad "expected 30 records outside the period in report.json"
[ $fail = 0 ] && echo "ok: 1, 2 and 3 threads give identical report.json, charges.csv, rejected.jsonl"
exit $fail
