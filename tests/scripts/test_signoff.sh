#!/usr/bin/env bash
# Sign-off through the real binary (SPEC §8), on a month folder written by hand so it does not
# depend on render: keygen, sign, verify, tamper, verify again; the exit statuses of SPEC §1.
# Usage: test_signoff.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1
scratch=$3
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
# expect STATUS DESCRIPTION -- command...: runs it, keeps stdout in $out and stderr in $errout
expect() {
  local want=$1 what=$2; shift 3
  out=$("$@" 2>"$scratch/stderr"); local st=$?
  errout=$(cat "$scratch/stderr")
  if [ "$st" -eq "$want" ]; then ok; else bad "$what: exit $st, want $want"; echo "$out"; echo "$errout"; fi
}
has() { if grep -qxF -- "$2" <<<"$1"; then ok; else bad "no line \"$2\" in:"; echo "$1"; fi; }
contains() { if grep -qF -- "$2" <<<"$1"; then ok; else bad "no \"$2\" in:"; echo "$1"; fi; }

[ -d "$scratch" ] && chmod -R u+w "$scratch" && rm -rf "$scratch"
mkdir -p "$scratch"
m=$scratch/out/2026-10
mkdir -p "$m/teams"
cat >"$m/report.json" <<'EOF'
{"schema": "chargeback-report/1", "period": {"month": "2026-10"}, "mode": "billing"}
EOF
printf '<html>summary</html>\n' >"$m/index.html"
printf '%%PDF-1.4\nteam data invoice\n' >"$m/teams/data.pdf"
printf 'period,team,amount\n2026-10,data,12.34\n' >"$m/charges.csv"

expect 0 "keygen" -- "$bin" keygen --out "$scratch/key"
mode=$(stat -c %a "$scratch/key")
[ "$mode" = 600 ] && ok || bad "secret key mode $mode, want 600"
head -c 30 "$scratch/key.pub" | grep -q '^chargeback-ed25519-public-key ' && ok || bad "public key format"
expect 2 "keygen over an existing key" -- "$bin" keygen --out "$scratch/key"

expect 2 "verify before sign" -- "$bin" verify "$m"
contains "$errout" "not a signed month"

SOURCE_DATE_EPOCH=1793491200 expect 0 "sign" -- "$bin" sign "$m" --by "Ann Finance" --key "$scratch/key"
[ -f "$m/SIGNOFF.json" ] && [ -f "$m/SIGNOFF.sig" ] && ok || bad "SIGNOFF files missing"
contains "$(cat "$m/SIGNOFF.json")" '"signed_at": "2026-11-01T00:00:00Z"'
contains "$(cat "$m/SIGNOFF.json")" '"path": "teams/data.pdf"'
writable=$(find "$m" -perm /222 | wc -l)
[ "$writable" -eq 0 ] && ok || bad "$writable writable entries after sign"
expect 2 "second sign" -- "$bin" sign "$m" --by Mallory
contains "$errout" "already signed"

expect 0 "verify clean" -- "$bin" verify "$m" --pubkey "$scratch/key.pub"
has "$out" "signature: valid"
has "$out" "verified: 4 files match"

# A month that is signed is never overwritten by render (exit 2, with the -r2 hint), whatever
# state the rest of the pipeline is in: the refusal comes before anything is written.
before=$(cd "$m" && find . -type f -exec sha256sum {} + | sort)
printf '{"timestamp":"2026-10-01T00:00:00Z","model":"claude-sonnet-4-6","input_tokens":1,"output_tokens":1,"team":"data"}\n' >"$scratch/usage.jsonl"
"$bin" render --quiet --formats json --month 2026-10 --out "$m" "$scratch/usage.jsonl" >/dev/null 2>"$scratch/stderr"; st=$?
errout=$(cat "$scratch/stderr")
if grep -q "not built yet" <<<"$errout"; then
  echo "note: render refusal not checked (render reports \"not built yet\" before reaching the output folder)"
else
  [ $st -eq 2 ] && ok || bad "render into a signed month: exit $st, want 2: $errout"
  contains "$errout" "signed"
  contains "$errout" "--out $m-r2"
fi
after=$(cd "$m" && find . -type f -exec sha256sum {} + | sort)
[ "$before" = "$after" ] && ok || bad "render changed a signed month"
[ -z "$(find "$scratch/out" -maxdepth 1 -name '.2026-10.*')" ] && ok || bad "render left a temporary folder"

# Tamper: flip one byte (same size), delete one file, add one.
chmod -R u+w "$m"
sed -i 's/12.34/12.35/' "$m/charges.csv"
rm "$m/index.html"
echo extra >"$m/teams/extra.html"
expect 1 "verify tampered" -- "$bin" verify "$m" --pubkey "$scratch/key.pub"
has "$out" "changed: charges.csv"
has "$out" "removed: index.html"
has "$out" "added: teams/extra.html"
has "$out" "signature: valid"
has "$out" "verification FAILED: 3 differences"

# Forge: put the file back and rewrite its hash in SIGNOFF.json — only the signature catches it.
printf '<html>summary</html>\n' >"$m/index.html"
rm "$m/teams/extra.html"
new=$(sha256sum "$m/charges.csv" | cut -d' ' -f1)
old=$(grep -A1 '"path": "charges.csv"' "$m/SIGNOFF.json" | sed -n 's/.*"sha256": "\([0-9a-f]*\)".*/\1/p')
[ -n "$old" ] && ok || bad "could not find the hash of charges.csv in SIGNOFF.json"
sed -i "s/$old/$new/" "$m/SIGNOFF.json"
expect 0 "verify forged manifest without key (hashes agree)" -- "$bin" verify "$m"
expect 1 "verify forged manifest with key" -- "$bin" verify "$m" --pubkey "$scratch/key.pub"
has "$out" "signature: INVALID"

# Another key pair does not verify this month.
"$bin" keygen --out "$scratch/other" 2>/dev/null
expect 1 "verify with the wrong key" -- "$bin" verify "$m" --pubkey "$scratch/other.pub"
has "$out" "signature: INVALID"

# A shadow month cannot be signed.
s=$scratch/out/2026-10-shadow
mkdir -p "$s"
echo '{"schema":"chargeback-report/1","period":{"month":"2026-10"},"mode":"shadow"}' >"$s/report.json"
expect 2 "sign shadow" -- "$bin" sign "$s" --by Ann
contains "$errout" "a shadow month cannot be signed"
[ ! -e "$s/SIGNOFF.json" ] && ok || bad "shadow month got a SIGNOFF.json"

chmod -R u+w "$scratch"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
