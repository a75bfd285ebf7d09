#!/usr/bin/env bash
# Rendering into a signed month with the default output folder (out/YYYY-MM, the month known
# only from the data) is refused before the inputs are read in full: the first records of each
# regular-file input give the likely month (ingest_peek_month), and a signed folder for it is
# refused at once with the usual message. Shown with a gzip input cut short near its end: read
# in full it fails on the truncated data, so the refusal of the signed month proves the run
# stopped after the first records. The check after the read still catches data whose first
# records are of another month than most of them.
# Usage: test_signed_peek.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1 scratch=$3
src=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
data=$src/sample-data
[ -d "$scratch" ] && chmod -R u+w "$scratch"
rm -rf "$scratch" && mkdir -p "$scratch"
command -v gzip >/dev/null || { echo "SKIP: gzip is needed"; exit 77; }
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
cd "$scratch" || exit 1
month=$data/usage-2026-10.jsonl
signed_msg="out/2026-10: this month is signed (SIGNOFF.json) and is never overwritten; to issue a corrected revision, render again with --supersedes out/2026-10"

"$bin" render --quiet -c "$data/config.json" --formats json "$month" 2>render.err ||
  { echo "FAIL: first render: $(cat render.err)"; exit 1; }
"$bin" sign out/2026-10 --by "Ann Finance" >/dev/null 2>sign.err ||
  { echo "FAIL: sign: $(cat sign.err)"; exit 1; }

# the month as gzip, its last 200 bytes cut off: the whole read ends in an error
gzip -c "$month" >full.jsonl.gz
size=$(wc -c <full.jsonl.gz)
head -c $((size - 200)) full.jsonl.gz >cut.jsonl.gz
"$bin" render --quiet -c "$data/config.json" --formats json --out read-all cut.jsonl.gz \
  >/dev/null 2>cut-all.err
st=$?
if [ $st -ne 0 ] && grep -qi "gzip" cut-all.err; then ok
else bad "reading the cut gzip in full should fail on it (exit $st): $(cat cut-all.err)"; fi

# into the signed month: refused from the first records, before the cut is reached
"$bin" render -c "$data/config.json" cut.jsonl.gz >peek.out 2>peek.err
st=$?
[ $st -eq 2 ] && ok || bad "signed month from the peek: exit $st, want 2"
grep -qF -- "$signed_msg" peek.err && ok || bad "no refusal of the signed month in: $(cat peek.err)"
grep -qi "gzip\|records read" peek.err && bad "the input was read on: $(cat peek.err)" || ok
[ -d out/2026-10-r2 ] && bad "a revision folder was written" || ok

# the same for the plain file, and for a shadow month into its own (unsigned) folder
"$bin" render --quiet -c "$data/config.json" "$month" >/dev/null 2>plain.err
[ $? -eq 2 ] && grep -qF -- "$signed_msg" plain.err && ok || bad "plain file: $(cat plain.err)"
"$bin" render --quiet --shadow -c "$data/config.json" --formats json "$month" 2>shadow.err &&
  [ -f out/2026-10-shadow/report.json ] && ok || bad "shadow render beside the signed month: $(cat shadow.err)"

# first records of September (more than the peek reads), most of the file October: the peek
# guesses September, which is not signed; the check after the read refuses October
{ sed -n '2,1000p' "$month" | sed 's/"2026-10-/"2026-09-/'; cat "$month"; } >late-first.jsonl
"$bin" render --quiet -c "$data/config.json" --formats json late-first.jsonl >/dev/null 2>late.err
st=$?
[ $st -eq 2 ] && grep -qF -- "$signed_msg" late.err && ok ||
  bad "data of another month than its first records: exit $st: $(cat late.err)"
[ -d out/2026-09 ] && bad "out/2026-09 was written" || ok

# the signed month is unchanged
"$bin" verify out/2026-10 >/dev/null 2>verify.err && ok || bad "verify: $(cat verify.err)"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
