#!/usr/bin/env bash
# Wrong-money findings of the hostile review (issue 17, points 4 and 6), replayed through the
# real binary and checked in report.json:
#  4. a month whose records are all untagged and partly in a shared pool keeps the pool: the
#     summary total equals the period's list total, and the reconciliation says nothing false;
#  6. a provider invoice below the unallocated usage is refused; a budget of "0.00" is refused.
# Usage: test_review_money.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1 scratch=$3
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIP: no python3"; exit 77; }

[ -d "$scratch" ] && chmod -R u+w "$scratch" && rm -rf "$scratch"
mkdir -p "$scratch"
cd "$scratch" || exit 1
rec() { printf '{"timestamp":"2026-10-05T10:00:00Z","model":"claude-sonnet-4-6","input_tokens":1000000,"output_tokens":0%s}\n' "$1"; }

# ---- 4: every record untagged, five of six in a shared pool ----
{ for i in 1 2 3 4 5; do rec ',"project":"rag"'; done; rec ',"project":"web"'; } >untagged.jsonl
echo '{"shared": [{"match": {"project": "rag"}, "split": "proportional"}]}' >pool.json
echo '{"shared": [{"match": {"project": "rag"}, "split": "proportional"}], "provider_invoice": {"2026-10": "20.00"}}' >pool-invoice.json
for cfg in pool pool-invoice; do
  if "$bin" render --quiet -c $cfg.json --formats json --out $cfg untagged.jsonl 2>$cfg.err; then ok; else bad "$cfg: render failed: $(cat $cfg.err)"; continue; fi
  if "$py" - $cfg/report.json <<'EOF'; then ok; else bad "$cfg: report.json"; fi
import json, sys
r = json.load(open(sys.argv[1]))
t = r["totals"]
bad = []
if t["summary_total"] != "18.00": bad.append("summary_total %s, want 18.00" % t["summary_total"])
if t["period_list_total"] != "18.00": bad.append("period_list_total %s" % t["period_list_total"])
if t["unallocated"] != "18.00": bad.append("unallocated %s" % t["unallocated"])
u = r["unallocated"]
if sum(int(l["amount"].replace(".", "")) for l in u["lines"]) != 1800: bad.append("unallocated lines do not add up to 18.00")
if u["requests"] != 6: bad.append("unallocated requests %s, want 6" % u["requests"])
if not any("no team in the month" in w for w in r["warnings"]): bad.append("no warning about the pool")
rec = r.get("reconciliation", "")
if "equal the provider invoice" in rec: bad.append("reconciliation claims equality: " + rec)
if t["provider_total"] and "nothing is charged" not in rec: bad.append("reconciliation: " + rec)
for b in bad: print(sys.argv[1] + ": " + b)
sys.exit(1 if bad else 0)
EOF
done

# ---- 6: provider invoice below the unallocated usage; a zero budget ----
{ rec ',"team":"data"'; rec ''; rec ''; } >mixed.jsonl
echo '{"teams": {"data": {}}, "provider_invoice": {"2026-10": "1.00"}}' >low-invoice.json
"$bin" render --quiet -c low-invoice.json --formats json --out low mixed.jsonl >/dev/null 2>low.err
st=$?
[ $st -eq 2 ] && ok || bad "provider invoice below unallocated: exit $st, want 2"
grep -qF "provider_invoice" low.err && grep -qF 'below the usage without a team' low.err && ok ||
  { bad "provider invoice below unallocated: message"; cat low.err; }
[ ! -e low ] && ok || bad "low/ was written"
echo '{"teams": {"data": {"budget": {"monthly": "0.00"}}}}' >zero-budget.json
"$bin" render --quiet -c zero-budget.json --formats json --out zero mixed.jsonl >/dev/null 2>zero.err
st=$?
[ $st -eq 2 ] && ok || bad "budget 0.00: exit $st, want 2"
grep -qF '"teams.data.budget.monthly": must be greater than 0' zero.err && ok || { bad "budget 0.00: message"; cat zero.err; }
echo '{"teams": {"data": {"budget": {"monthly_tokens": 0}}}}' >zero-tokens.json
"$bin" render --quiet -c zero-tokens.json --formats json --out zerot mixed.jsonl >/dev/null 2>zerot.err
[ $? -eq 2 ] && ok || bad "monthly_tokens 0: not refused"
# a provider invoice at or above the unallocated usage still reconciles
echo '{"teams": {"data": {}}, "provider_invoice": {"2026-10": "6.00"}}' >even-invoice.json
"$bin" render --quiet -c even-invoice.json --formats json --out even mixed.jsonl 2>even.err && ok ||
  { bad "provider invoice = unallocated: $(cat even.err)"; }

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
