#!/usr/bin/env bash
# Per-team documents (HTML, PDF, XLSX) are rendered on worker threads (render_each), and with
# more than one thread the formats run at the same time (render_all): the month folder and the
# messages must not depend on how many threads ran or how they were scheduled.
# Renders the sample month and the hostile-names case (whose configuration warns about teams
# per team, and whose PDFs warn about glyphs no font has) with --threads 1, 2 and 2 again, in every format, and
# compares the SHA-256 of every file and stderr byte for byte.
set -u
bin=$1
scratch=$3
here=$(cd "$(dirname "$0")" && pwd)
src=${CB_SOURCE_DIR:-$here/../..}
rm -rf "$scratch"
mkdir -p "$scratch"
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }

# render NAME RUN THREADS ARGS...: month folder $scratch/NAME-RUN, stderr, exit status and
# the SHA-256 of every file beside it
render() {
  local name=$1 label=$2 threads=$3; shift 3
  local out=$scratch/$name-$label
  "$bin" render --threads "$threads" --out "$out/month" "$@" 2>"$out.err" >/dev/null
  echo $? >"$out.rc"
  (cd "$out/month" 2>/dev/null && find . -type f | LC_ALL=C sort | xargs -r sha256sum) >"$out.sha"
  echo "$out"
}

check() {
  local name=$1; shift
  local a b c
  a=$(render "$name" t1 1 "$@")
  b=$(render "$name" t2 2 "$@")
  c=$(render "$name" t2-again 2 "$@")
  local files
  files=$(grep -c . "$a.sha")
  for kind in pdf xlsx html; do
    [ "$(grep -c "teams/.*\.$kind\$" "$a.sha")" -ge 2 ] && ok || bad "$name: fewer than two team .$kind files"
  done
  for x in "$b" "$c"; do
    cmp -s "$a.rc" "$x.rc" && ok || bad "$name: exit status differs ($(cat "$a.rc") vs $(cat "$x.rc"))"
    cmp -s "$a.sha" "$x.sha" && ok || bad "$name: files differ between --threads 1 and 2: $(diff "$a.sha" "$x.sha" | head -n 4)"
    cmp -s "$a.err" "$x.err" && ok || bad "$name: stderr differs between --threads 1 and 2: $(diff "$a.err" "$x.err" | head -n 4)"
  done
  echo "$name: $files files"
}

data=$src/sample-data
check sample --quiet --config "$data/config.json" "$data/usage-2026-10.jsonl"
case_dir=$src/tests/cases/adv_names
check adv_names --quiet --config "$case_dir/config.json" "$case_dir/stdin"
# the PDFs print the emoji and U+202E of some names as U+FFFD: one warning for the whole run,
# its code points and fields sorted, whatever order the documents finished in
[ "$(grep -c "warning: pdf: " "$scratch/adv_names-t1.err")" = 1 ] && ok || bad "adv_names: expected one warning from the PDFs"
grep -q "warning: pdf: 3 documents (summary, team .*) print 5 characters .*: U+202E U+1F466 U+1F467 U+1F469 U+1F680$" "$scratch/adv_names-t1.err" && ok || bad "adv_names: the PDF warning does not list the code points: $(grep "pdf:" "$scratch/adv_names-t1.err")"

echo "passed $pass, failed $fail"
[ $fail -eq 0 ]
