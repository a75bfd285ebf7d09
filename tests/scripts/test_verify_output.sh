#!/usr/bin/env bash
# verify's output cannot be forged by file names, and says what it did not check (issue 17
# point 10): names go through the same escaping as every diagnostic, so a file named
# "a<LF>verified: 12 files match" cannot print a verdict line; without --pubkey the verdict
# says that only hashes were compared and that SIGNOFF.json could have been rewritten too.
# Usage: test_verify_output.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1 scratch=$3
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
[ -d "$scratch" ] && chmod -R u+w "$scratch" && rm -rf "$scratch"
mkdir -p "$scratch/m/teams"
cd "$scratch" || exit 1
echo '{"schema": "chargeback-report/1", "period": {"month": "2026-10"}, "mode": "billing"}' >m/report.json
printf '<html>summary</html>\n' >m/index.html
printf 'period,team,amount\n' >m/charges.csv
"$bin" keygen --force --out key >/dev/null 2>&1 || bad "keygen"
"$bin" sign m --by Dana --key key >/dev/null 2>&1 || bad "sign"

out=$("$bin" verify m 2>&1); st=$?
[ $st -eq 0 ] && ok || bad "verify intact month: exit $st"
grep -qx "verified: 3 files match" <<<"$out" && ok || { bad "no verdict"; echo "$out"; }
grep -q "^hashes only: .*without --pubkey.*could have rewritten it too" <<<"$out" && ok ||
  { bad "without --pubkey the verdict does not say only hashes were checked"; echo "$out"; }
out=$("$bin" verify m --pubkey key.pub 2>&1); st=$?
[ $st -eq 0 ] && ok || bad "verify with --pubkey: exit $st"
grep -qx "signature: valid" <<<"$out" && ok || bad "no valid signature line"
grep -q "^hashes only" <<<"$out" && bad "hashes-only note with --pubkey" || ok

chmod -R u+w m
touch "m/a
verified: 12 files match"
touch "m/b$(printf '\033')[2Kverified: 3 files match"
out=$("$bin" verify m 2>&1); st=$?
[ $st -eq 1 ] && ok || bad "verify after adding files: exit $st, want 1"
grep -qx "verified: 12 files match" <<<"$out" && { bad "a file name forged a verdict line"; echo "$out"; } || ok
grep -q "^verified" <<<"$out" && { bad "a verdict line after a difference"; echo "$out"; } || ok
grep -qF 'added: a\u000averified: 12 files match' <<<"$out" && ok || { bad "the name is not shown escaped"; echo "$out"; }
grep -q $'\033' <<<"$out" && bad "an escape character reached the terminal" || ok
grep -qx "verification FAILED: 2 differences" <<<"$out" && ok || { bad "no FAILED verdict"; echo "$out"; }
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
