#!/usr/bin/env bash
# The sample month of sample-data/ renders as its README says: every record accounted for (5 bad
# lines with their 5 reasons at their lines, 29 duplicates, 6 outside the period), the five
# configured teams with their display names, research over budget, support on a token budget,
# the shared platform-rag pool split, and the hybrid pool reconciled to the provider invoice; the
# Admin API sample of the same month is attributed to the same teams through the API key rules.
# Skipped (exit 77) without python3 or while render reports "not built yet".
# Usage: test_sample_month.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1 scratch=$3
src=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
data=$src/sample-data
rm -rf "$scratch" && mkdir -p "$scratch"
if ! command -v python3 >/dev/null; then
  echo "SKIP: python3 is needed to read report.json"
  exit 77
fi

"$bin" render --quiet --formats json,csv --config "$data/config.json" --out "$scratch/native" \
  "$data/usage-2026-10.jsonl" >/dev/null 2>"$scratch/native.err"
st=$?
if [ $st -ne 0 ] && grep -q "not built yet" "$scratch/native.err"; then
  echo "SKIP: render is not built yet"
  exit 77
fi
if [ $st -ne 0 ]; then
  echo "FAIL: render of the sample month exited $st: $(head -n3 "$scratch/native.err")"
  exit 1
fi
"$bin" render --quiet --formats json --config "$data/config.json" --out "$scratch/admin" \
  "$data/admin-api-2026-10.json" >/dev/null 2>"$scratch/admin.err"
st=$?
if [ $st -ne 0 ]; then
  echo "FAIL: render of the Admin API sample exited $st: $(head -n3 "$scratch/admin.err")"
  exit 1
fi

python3 - "$scratch" <<'EOF'
import json, sys
from decimal import Decimal as D
out = sys.argv[1]
fails, passes = [], 0
def check(ok, what):
    global passes
    if ok:
        passes += 1
    else:
        fails.append(what)

r = json.load(open(out + "/native/report.json"))
i = r["inputs"]
check((i["records_read"], i["records_billed"], i["records_rejected"], i["duplicates"], i["outside_period"])
      == (20000, 19960, 5, 29, 6), "counts: %s" % {k: v for k, v in i.items() if k != "files"})
rej = [json.loads(l) for l in open(out + "/native/rejected.jsonl")]
check(sorted(x["line"] for x in rej) == [2001, 6001, 10001, 14001, 18001],
      "rejected lines: %s" % [x.get("line") for x in rej])
reasons = " ".join(sorted(x["reason"] for x in rej))
for want in ("not JSON", "negative", "unknown model", "timestamp"):
    check(want in reasons, "reject reasons lack %r: %s" % (want, reasons))

teams = {t["team"]: t for t in r["teams"]}
check(sorted(teams) == ["data", "engineering", "product", "research", "support"], "teams: %s" % sorted(teams))
check(teams.get("data", {}).get("name") == "Équipe Données", "data's display name")
check(teams.get("support", {}).get("name") == "Customer Support (Kraków)", "support's display name")
check(r["chargeback_model"] == "hybrid", "model: %s" % r["chargeback_model"])
b = teams.get("research", {}).get("budget") or {}
check(b.get("over") is True, "research is over budget: %s" % b)
s = teams.get("support", {}).get("budget") or {}
check("monthly_tokens" in s and s.get("over") is False, "support has a token budget: %s" % s)
check(all(D(t["shared"]) > 0 for t in teams.values()), "every team carries part of platform-rag")
check(D(r["totals"]["unallocated"]) > 0 and r["unallocated"]["requests"] > 0, "some usage is unallocated")
check(any(t.get("anomalies") for t in teams.values()), "the runaway day shows as an anomaly")
# hybrid with a provider invoice: the pool is the invoice less the unallocated usage shown
t = r["totals"]
pool = sum(D(x["total"]) - D(x["overhead"]) - D(x["markup"]) for x in teams.values())
check(pool + D(t["unallocated"]) == D(t["provider_total"]) == D("950.06"),
      "pool %s + unallocated %s = provider %s" % (pool, t["unallocated"], t["provider_total"]))
check(sum(D(x["total"]) for x in teams.values()) == D(t["charged"]), "charged = sum of team totals")

a = json.load(open(out + "/admin/report.json"))
ai = a["inputs"]
check(ai["records_read"] == ai["records_billed"] > 1000 and ai["records_rejected"] == 0,
      "admin counts: %s" % {k: v for k, v in ai.items() if k != "files"})
ateams = sorted(x["team"] for x in a["teams"])
check(ateams == sorted(teams), "admin teams through the API key rules: %s" % ateams)
check(D(a["totals"]["unallocated"]) > 0, "the sandbox key stays unallocated in the admin report")

for f in fails:
    print("FAIL:", f)
print("%d passed, %d failed" % (passes, len(fails)))
sys.exit(1 if fails else 0)
EOF
