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

expect 0 "keygen" -- "$bin" keygen --force --out "$scratch/key"
mode=$(stat -c %a "$scratch/key")
[ "$mode" = 600 ] && ok || bad "secret key mode $mode, want 600"
head -c 30 "$scratch/key.pub" | grep -q '^chargeback-ed25519-public-key ' && ok || bad "public key format"
expect 2 "keygen over an existing key" -- "$bin" keygen --force --out "$scratch/key"
# a secret key inside a git work tree is refused unless --force
mkdir -p "$scratch/repo/.git" "$scratch/repo/keys"
expect 2 "keygen inside a git work tree" -- "$bin" keygen --out "$scratch/repo/keys/k"
[ ! -e "$scratch/repo/keys/k" ] && ok || bad "keygen left a key inside the work tree"
"$bin" keygen --force --out "$scratch/repo/keys/k" 2>"$scratch/kg.err" && [ "$(stat -c %a "$scratch/repo/keys/k")" = 600 ] &&
  grep -qF "wrote the secret key $scratch/repo/keys/k (mode 0600" "$scratch/kg.err" && ok ||
  bad "keygen --force: $(cat "$scratch/kg.err")"

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

# A month that is signed is never overwritten by render (exit 2, with the --supersedes hint), whatever
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
  contains "$errout" "--supersedes $m (writes $m-r2"
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
"$bin" keygen --force --out "$scratch/other" 2>/dev/null
expect 1 "verify with the wrong key" -- "$bin" verify "$m" --pubkey "$scratch/other.pub"
has "$out" "signature: INVALID"

# A shadow month cannot be signed.
s=$scratch/out/2026-10-shadow
mkdir -p "$s"
echo '{"schema":"chargeback-report/1","period":{"month":"2026-10"},"mode":"shadow"}' >"$s/report.json"
expect 2 "sign shadow" -- "$bin" sign "$s" --by Ann
contains "$errout" "a shadow month cannot be signed"
[ ! -e "$s/SIGNOFF.json" ] && ok || bad "shadow month got a SIGNOFF.json"

# A month rendered by the tool itself: sign it, flip one byte inside a PDF, verify names it; then
# issue a corrected revision that points back to the signed month.
r=$scratch/out/real
cat >"$scratch/real.jsonl" <<'EOF'
{"request_id":"q1","timestamp":"2026-10-02T10:00:00Z","model":"claude-sonnet-4-6","input_tokens":120000,"output_tokens":9000,"team":"data","project":"etl"}
{"request_id":"q2","timestamp":"2026-10-03T11:00:00Z","model":"claude-haiku-4-5","input_tokens":50000,"output_tokens":4000,"team":"web","project":"site"}
{"request_id":"q3","timestamp":"2026-10-04T12:00:00Z","model":"claude-opus-4-7","input_tokens":30000,"output_tokens":2000,"team":"data","project":"ml"}
EOF
"$bin" render --quiet --formats json,csv,pdf --out "$r" "$scratch/real.jsonl" 2>"$scratch/stderr"; st=$?
if grep -q "not built yet" "$scratch/stderr"; then
  echo "note: signing a rendered month not checked (render reports \"not built yet\")"
else
  [ $st -eq 0 ] && ok || bad "render the real month: exit $st: $(cat "$scratch/stderr")"
  expect 0 "sign the rendered month" -- "$bin" sign "$r" --by "Ann Finance" --key "$scratch/key"
  expect 0 "verify the rendered month" -- "$bin" verify "$r" --pubkey "$scratch/key.pub"
  chmod u+w "$r/teams/data.pdf"
  # Flip one byte in the middle of the file, keeping its size.
  size=$(stat -c %s "$r/teams/data.pdf"); at=$((size / 2))
  byte=$(dd if="$r/teams/data.pdf" bs=1 skip=$at count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
  printf "$(printf '\\%03o' $(( (byte + 1) % 256 )))" |
    dd of="$r/teams/data.pdf" bs=1 seek=$at count=1 conv=notrunc 2>/dev/null
  expect 1 "verify after flipping one byte of a PDF" -- "$bin" verify "$r" --pubkey "$scratch/key.pub"
  has "$out" "changed: teams/data.pdf"

  # The corrected revision: a new folder beside it, numbers ending in -R2, the original untouched.
  before=$(cd "$r" && find . -type f -exec sha256sum {} + | sort)
  expect 0 "render --supersedes" -- "$bin" render --quiet --formats json,csv,pdf --supersedes "$r" "$scratch/real.jsonl"
  rj=$(cat "$r-r2/report.json" 2>/dev/null)
  contains "$rj" '"revision": 2'
  contains "$rj" '"invoice_number": "CB-2026-10-DATA-R2"'
  contains "$rj" '"supersedes_invoice_number": "CB-2026-10-DATA"'
  contains "$rj" "\"signoff_sha256\": \"$(sha256sum "$r/SIGNOFF.json" | cut -d' ' -f1)\""
  contains "$rj" '"signed_by": "Ann Finance"'
  contains "$(cat "$r-r2/charges.csv")" "CB-2026-10-WEB-R2"
  contains "$(pdftotext "$r-r2/teams/data.pdf" - 2>/dev/null | tr '\n' ' ')" "supersedes invoice CB-2026-10-DATA"
  after=$(cd "$r" && find . -type f -exec sha256sum {} + | sort)
  [ "$before" = "$after" ] && ok || bad "render --supersedes changed the signed month"
  expect 2 "--supersedes of an unsigned month" -- "$bin" render --quiet --formats json --supersedes "$r-r2" --out "$scratch/x" "$scratch/real.jsonl"
  contains "$errout" "not a signed month"
  expect 2 "--supersedes of another month" -- "$bin" render --quiet --formats json --month 2026-09 --supersedes "$r" --out "$scratch/y" "$scratch/real.jsonl"

  # A signed target is refused before any input is read: the input is a FIFO nobody writes, so
  # opening it would block (timeout: exit 124). --supersedes names the target (DIR-r2) as --out
  # does; the refusal is the same text as after reading.
  expect 0 "sign the revision" -- "$bin" sign "$r-r2" --by "Ann Finance"
  mkfifo "$scratch/never.jsonl"
  expect 2 "--supersedes whose revision is signed" -- timeout 20 "$bin" render --quiet --formats json --supersedes "$r" "$scratch/never.jsonl"
  contains "$errout" "$r-r2: this month is signed (SIGNOFF.json) and is never overwritten"
  expect 2 "--out of a signed month" -- timeout 20 "$bin" render --quiet --formats json --out "$r" "$scratch/never.jsonl"
  contains "$errout" "$r: this month is signed (SIGNOFF.json) and is never overwritten"
  expect 2 "--month of a signed month" -- env -C "$scratch" timeout 20 "$bin" render --quiet --formats json --month 2026-10 "$scratch/never.jsonl"
  contains "$errout" "out/2026-10: this month is signed (SIGNOFF.json) and is never overwritten"
fi

chmod -R u+w "$scratch"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
