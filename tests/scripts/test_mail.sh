#!/usr/bin/env bash
# chargeback mail (SPEC §8) on the sample month: render, sign, mail; every message parsed with
# Python's email package (To, Subject with the invoice number, attachments equal to the files
# byte for byte, the body's amount equal to report.json); two runs give the same bytes; an
# unsigned billing month is refused, --draft marks drafts, --send goes through a fake sendmail,
# the team "Customer Support (Kraków)" needs encoded words. Usage: test_mail.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1
scratch=$3
src=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIP: no /usr/bin/python3"; exit 77; }
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
expect() {
  local want=$1 what=$2; shift 3
  out=$("$@" 2>"$scratch/stderr"); local st=$?
  errout=$(cat "$scratch/stderr")
  if [ "$st" -eq "$want" ]; then ok; else bad "$what: exit $st, want $want"; echo "$out"; echo "$errout"; fi
}
contains() { if grep -qF -- "$2" <<<"$1"; then ok; else bad "no \"$2\" in:"; echo "$1"; fi; }

[ -d "$scratch" ] && chmod -R u+w "$scratch" && rm -rf "$scratch"
mkdir -p "$scratch"
m=$scratch/2026-10
from='Finance <finops@acme.example>'
expect 0 "render" -- "$bin" render --quiet --config "$src/sample-data/config.json" --out "$m" \
  "$src/sample-data/usage-2026-10.jsonl"

# An unsigned billing month is refused (exit 2) and nothing is written.
expect 2 "mail unsigned" -- "$bin" mail "$m" --from "$from"
contains "$errout" "chargeback sign"
[ ! -e "$m-mail" ] && ok || bad "mail of an unsigned month wrote $m-mail"

# --draft writes them anyway, marked.
expect 0 "mail --draft" -- "$bin" mail "$m" --from "$from" --draft --out "$scratch/drafts"
grep -q '^X-Unsent: 1$' "$scratch/drafts/data.eml" && ok || bad "draft without X-Unsent: 1"
grep -q '^Subject: DRAFT: ' "$scratch/drafts/data.eml" && ok || bad "draft subject without DRAFT"
expect 2 "--send --draft" -- "$bin" mail "$m" --from "$from" --draft --send
expect 2 "--out inside DIR" -- "$bin" mail "$m" --from "$from" --draft --out "$m/mail"
contains "$errout" "inside the month folder"
[ ! -e "$m/mail" ] && ok || bad "--out inside DIR was created"
expect 2 "bad --from" -- "$bin" mail "$m" --from "not an address <" --draft

expect 0 "sign" -- env SOURCE_DATE_EPOCH=1793491200 "$bin" sign "$m" --by "Ann Finance"
expect 0 "mail" -- "$bin" mail "$m" --from "$from" --cc "ledger@acme.example"
expect 0 "mail again" -- "$bin" mail "$m" --from "$from" --cc "ledger@acme.example" --out "$scratch/again"
for f in "$m-mail"/*.eml; do
  cmp -s "$f" "$scratch/again/$(basename "$f")" && ok || bad "$(basename "$f") differs between runs"
done

# Every message, parsed.
"$py" - "$m" "$m-mail" <<'PY' && ok || bad "message checks"
import email, email.policy, json, os, sys
month, outdir = sys.argv[1], sys.argv[2]
r = json.load(open(os.path.join(month, "report.json"), encoding="utf-8"))
teams = [t for t in r["teams"] if t.get("contact")]
files = sorted(os.listdir(outdir))
assert files == sorted(t["slug"] + ".eml" for t in teams), files
for t in teams:
    raw = open(os.path.join(outdir, t["slug"] + ".eml"), "rb").read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    to = msg["To"].addresses
    assert len(to) == 1 and to[0].addr_spec == t["contact"], (t["team"], msg["To"])
    want_name = t.get("owner") or t["name"]  # the bill-to person when configured
    assert to[0].display_name == want_name, (to[0].display_name, want_name)
    assert msg["Cc"].addresses[0].addr_spec == "ledger@acme.example"
    assert t["invoice_number"] in msg["Subject"] and r["organization"] in msg["Subject"]
    assert r["period"]["month"] in msg["Subject"] and "DRAFT" not in msg["Subject"]
    assert msg["X-Unsent"] is None
    assert msg["Message-ID"].startswith("<" + t["invoice_number"] + ".")
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    amount = t["total"] + " " + r["currency"]
    assert amount in plain and amount in html, (t["team"], amount)
    want = {t["invoice_number"] + ".pdf": os.path.join(month, "teams", t["slug"] + ".pdf"),
            t["invoice_number"] + ".xlsx": os.path.join(month, "teams", t["slug"] + ".xlsx")}
    got = {a.get_filename(): a.get_content() for a in msg.iter_attachments()}
    assert sorted(got) == sorted(want), got.keys()
    for name, path in want.items():
        assert got[name] == open(path, "rb").read(), name
# The name that needs encoded words (a team without an owner) is in the raw header as one.
raw = open(os.path.join(outdir, "support.eml"), "rb").read().decode("ascii")
to_line = [l for l in raw.split("\n") if l.startswith("To: ")][0]
assert "=?" in to_line and "Kraków" not in to_line, to_line
print("checked", len(teams), "messages")
PY

# --send through a recording sendmail on PATH; a failing one gives exit 3.
mkdir -p "$scratch/bin"
cat >"$scratch/bin/sendmail" <<SH
#!/bin/sh
n=\$(ls "$scratch/sent"/*.eml 2>/dev/null | wc -l)
mkdir -p "$scratch/sent"
echo "\$*" >"$scratch/sent/args"
cat >"$scratch/sent/\$n.eml"
exit \${FAKE_SENDMAIL_STATUS:-0}
SH
chmod +x "$scratch/bin/sendmail"
expect 0 "mail --send" -- env PATH="$scratch/bin:$PATH" "$bin" mail "$m" --from "$from" --send --out "$scratch/sent-out"
[ "$(cat "$scratch/sent/args" 2>/dev/null)" = "-t -i" ] && ok || bad "sendmail arguments: $(cat "$scratch/sent/args" 2>/dev/null)"
n_sent=$(ls "$scratch/sent"/*.eml 2>/dev/null | wc -l)
[ "$n_sent" -eq 5 ] && ok || bad "$n_sent messages sent, want 5"
i=0
for f in "$scratch/sent-out"/*.eml; do
  cmp -s "$f" "$scratch/sent/$i.eml" && ok || bad "sent message $i is not $(basename "$f")"
  i=$((i+1))
done
expect 3 "failing sendmail" -- env PATH="$scratch/bin:$PATH" FAKE_SENDMAIL_STATUS=75 "$bin" mail "$m" --from "$from" --send --out "$scratch/sent-out"
contains "$errout" "exited with status 75"
expect 3 "no sendmail" -- env PATH=/nonexistent "$bin" mail "$m" --from "$from" --send --out "$scratch/x"

# A shadow month can be mailed any time; its subject says SHADOW.
expect 0 "render shadow" -- "$bin" render --quiet --shadow --config "$src/sample-data/config.json" \
  --out "$scratch/shadow" "$src/sample-data/usage-2026-10.jsonl"
expect 0 "mail shadow" -- "$bin" mail "$scratch/shadow" --from "$from"
"$py" -c "
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
assert m['Subject'].startswith('SHADOW'), m['Subject']
" "$scratch/shadow-mail/data.eml" && ok || bad "shadow subject"

echo "mail: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
