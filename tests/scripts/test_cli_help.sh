#!/usr/bin/env bash
# Every subcommand documents itself: `chargeback CMD --help` exits 0 with a usage line naming it,
# and the tool's --help lists every subcommand.
set -u
bin=$1
pass=0 fail=0
for cmd in render check prices template sign verify keygen; do
  out=$("$bin" "$cmd" --help 2>&1); st=$?
  if [ $st -eq 0 ] && grep -q "^usage: chargeback $cmd" <<<"$out"; then pass=$((pass+1)); else
    echo "FAIL: $cmd --help (exit $st): $out"; fail=$((fail+1)); fi
  if "$bin" --help | grep -q "^  $cmd "; then pass=$((pass+1)); else
    echo "FAIL: --help does not list $cmd"; fail=$((fail+1)); fi
done
for opt in --config --month --out --model --shadow --formats --prices --previous --strict --quiet --progress --threads; do
  if "$bin" render --help | grep -q -- "$opt"; then pass=$((pass+1)); else
    echo "FAIL: render --help lacks $opt"; fail=$((fail+1)); fi
done
# The man page documents every subcommand and every long option that any --help shows.
man=${CB_SOURCE_DIR:-$(dirname "$0")/../..}/man/chargeback.1
for cmd in render check prices template sign verify keygen; do
  if grep -q "^\.B chargeback $cmd\|^\.B $cmd\$" "$man"; then pass=$((pass+1)); else
    echo "FAIL: man page lacks the $cmd command"; fail=$((fail+1)); fi
  for opt in $("$bin" "$cmd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    # groff escapes the dashes: --data-dir is written \-\-data\-dir
    esc=$(sed 's/-/\\\\-/g' <<<"$opt")
    if grep -q -- "$esc" "$man"; then pass=$((pass+1)); else
      echo "FAIL: man page lacks $opt (of $cmd)"; fail=$((fail+1)); fi
  done
done
# A short option's value may be attached, as its help line "-j, --threads N" lets one expect:
# "-j2" is "-j 2"; an unknown short word ("-jx" is "-j x": a bad count) still fails.
sample=${CB_SOURCE_DIR:-$(dirname "$0")/../..}/sample-data/usage-2026-10.jsonl
"$bin" check -j 2 "$sample" >"${TMPDIR:-/tmp}/cb-j-spaced.$$" 2>&1; want=$?
"$bin" check -j2 "$sample" >"${TMPDIR:-/tmp}/cb-j-joined.$$" 2>&1; st=$?
if [ $st -eq $want ] && cmp -s "${TMPDIR:-/tmp}/cb-j-spaced.$$" "${TMPDIR:-/tmp}/cb-j-joined.$$"; then
  pass=$((pass+1)); else echo "FAIL: check -j2 (exit $st) is not check -j 2 (exit $want)"; fail=$((fail+1)); fi
rm -f "${TMPDIR:-/tmp}/cb-j-spaced.$$" "${TMPDIR:-/tmp}/cb-j-joined.$$"
"$bin" check -jx "$sample" >/dev/null 2>&1; st=$?
if [ $st -eq 2 ]; then pass=$((pass+1)); else echo "FAIL: check -jx exit $st"; fail=$((fail+1)); fi
"$bin" render -qz "$sample" >/dev/null 2>&1; st=$?
if [ $st -eq 2 ]; then pass=$((pass+1)); else echo "FAIL: render -qz exit $st"; fail=$((fail+1)); fi
"$bin" frobnicate >/dev/null 2>&1; st=$?
if [ $st -eq 2 ]; then pass=$((pass+1)); else echo "FAIL: unknown command exit $st"; fail=$((fail+1)); fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
