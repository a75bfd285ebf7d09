#!/usr/bin/env bash
# A shadow month charges nothing, and its documents never say a team was charged: the PDF
# invoice's budget line says "would be charged", alerts.json's budget rules "would have been
# charged" (a billing month keeps "charged" and "was charged").
# Usage: test_shadow_words.sh CHARGEBACK GEN-USAGE SCRATCH. Exits 77 (skipped) without
# pdftotext or python3.
set -u
. "$(dirname "$0")/common.sh"
need pdftotext python3
data=$src/sample-data
fail=0
for mode in shadow billing; do
  flag=; [ $mode = shadow ] && flag=--shadow
  render_to "$scratch/$mode" "$data/usage-2026-10.jsonl" $flag --formats pdf,json \
    -c "$data/config.json" || { fail=1; continue; }
  text=$(pdftotext -layout "$scratch/$mode/teams/data.pdf" - | tr -s ' \n' ' ')
  if [ $mode = shadow ]; then want="Monthly budget 120.00; would be charged 104.53"; else
    want="Monthly budget 120.00; charged 104.53"; fi
  case $text in *"$want"*) ;; *) echo "$mode: data.pdf lacks \"$want\""; fail=1 ;; esac
  python3 - "$scratch/$mode/alerts.json" "$mode" <<'PY' || fail=1
import json, sys
alerts = json.load(open(sys.argv[1], encoding="utf-8"))
rules = [a["rule"] for a in alerts["alerts"]
         if a["kind"].startswith("budget") and a["entity"]["type"] == "team" and "tokens" not in a["rule"]]
shadow = sys.argv[2] == "shadow"
want, never = ("would have been charged", "was charged") if shadow else ("was charged", "would have")
bad = [r for r in rules if want not in r or never in r]
if not rules or bad:
    print(f"{sys.argv[2]}: {len(rules)} team budget rules, {len(bad)} without {want!r}: {bad[:2]}")
    sys.exit(1)
print(f"{sys.argv[2]}: {len(rules)} team budget rules say {want!r}")
PY
done
exit $fail
