#!/usr/bin/env bash
# The other sources (docs/input-formats.md), end to end, against an independent oracle:
# - each sample file of sample-data/ (Claude Code report, OpenTelemetry logs, Bedrock, LiteLLM)
#   rendered alone with the sample configuration: every team's list cost equals, to the cent,
#   the one this script computes itself (Python Fractions, the list prices written below);
# - the Cost report given with the usage under the usage model: totals.provider_total is its sum,
#   provider_total_source says so, the true-up closes the gap, and reconciliation_detail adds up
#   (Σ by_model billed = billed, Σ by_day computed = computed);
# - a report whose last page says has_more leaves its warning in report.json;
# - an unknown document shape exits 3 with nothing written.
# Usage: test_readers.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1
scratch=$3
src=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
py=/usr/bin/python3
[ -x "$py" ] || { echo "skip: $py missing"; exit 77; }
rm -rf "$scratch" && mkdir -p "$scratch"
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }

cfg=$src/sample-data/config.json
# the usage model, so that a team's list cost is its usage, and no provider total
$py - "$cfg" "$scratch/usage-cfg.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["chargeback"] = {"model": "usage"}
c.pop("provider_invoice", None)
c["overhead_rate"] = 0
for t in c["teams"].values():
    t.pop("markup", None)
json.dump(c, open(sys.argv[2], "w"))
EOF

for f in claude-code-2026-10.json otel-logs-2026-10.jsonl bedrock-2026-10.jsonl litellm-spend-2026-10.jsonl; do
  out=$scratch/out-$f
  if ! "$bin" render -q -c "$scratch/usage-cfg.json" --formats json --out "$out" "$src/sample-data/$f" 2>"$scratch/err-$f"; then
    bad "$f: render failed: $(head -c 400 "$scratch/err-$f")"; continue
  fi
  if $py - "$src/sample-data/$f" "$out/report.json" "$cfg" <<'EOF'
import json, sys
from fractions import Fraction as F
path, report, cfg = sys.argv[1:4]
# list prices in USD per million tokens (docs/prices.md, in force in October 2026):
# input, output, cache read, 5-minute cache write
P = {"claude-sonnet-4-6": (3, 15, F(3, 10), F(375, 100)),
     "claude-haiku-4-5": (1, 5, F(1, 10), F(125, 100)),
     "claude-opus-4-7": (5, 25, F(1, 2), F(625, 100))}
def canon(m):
    m = m.split("anthropic.")[-1]
    for k in P:
        if m.startswith(k):
            return k
    raise SystemExit("oracle: unknown model " + m)
KINDS = ("input", "output", "cache_read", "cache_write_5m")
qty = {}  # (team, model, kind) -> tokens: the invoice lines the tool should print
def cost(m, i, o, r, w):
    return (canon(m), (i, o, r, w))
users = {}
for rule in json.load(open(cfg))["attribution"]:
    u = rule["match"].get("user")
    if u:
        for x in ([u] if isinstance(u, str) else u):
            users[x] = rule["set"]["team"]
def add(t, c):
    m, counts = c
    for k, n in zip(KINDS, counts):
        if n:
            qty[(t, m, k)] = qty.get((t, m, k), 0) + n
def attr(d, k):
    for a in d:
        if a["key"] == k:
            return next(iter(a["value"].values()))
if "claude-code" in path:
    for line in open(path):
        for row in json.loads(line)["data"]:
            for mb in row["model_breakdown"]:
                t = mb["tokens"]
                add(users[row["actor"]["email_address"]],
                    cost(mb["model"], t["input"], t["output"], t["cache_read"], t["cache_creation"]))
elif "otel" in path:
    for line in open(path):
        for rl in json.loads(line)["resourceLogs"]:
            for sl in rl["scopeLogs"]:
                for lr in sl["logRecords"]:
                    a = lr["attributes"]
                    if attr(a, "event.name") != "api_request":
                        continue
                    add(users[attr(a, "user.email")],
                        cost(attr(a, "model"), int(attr(a, "input_tokens")), int(attr(a, "output_tokens")),
                             int(attr(a, "cache_read_tokens")), int(attr(a, "cache_creation_tokens"))))
elif "bedrock" in path:
    for line in open(path):
        r = json.loads(line)
        i = r["input"]
        add(r["requestMetadata"]["team"],
            cost(r["modelId"], i["inputTokenCount"], r["output"]["outputTokenCount"],
                 i.get("cacheReadInputTokenCount", 0), i.get("cacheWriteInputTokenCount", 0)))
else:
    for line in open(path):
        r = json.loads(line)
        u = r["metadata"]["usage_object"]
        cr, cw = u.get("cache_read_input_tokens", 0), u.get("cache_creation_input_tokens", 0)
        add(r["metadata"]["user_api_key_team_alias"],
            cost(r["model"], r["prompt_tokens"] - cr - cw, r["completion_tokens"], cr, cw))
def cents(x):  # half away from zero, once per line, as the tool does (SPEC 5)
    return int(x * 100 + F(1, 2)) if x >= 0 else -int(-x * 100 + F(1, 2))
team = {}
for (t, m, k), n in qty.items():
    team[t] = team.get(t, 0) + cents(n * P[m][KINDS.index(k)] / F(10**6))
rep = json.load(open(report))
got, lines = {}, {}
for t in rep["teams"]:
    if t["list_cost"] != "0.00":
        got[t["team"]] = t["list_cost"]
    for l in t["lines"]:
        lines[(t["team"], l["model"], l["kind"])] = l["quantity"]
want = {k: "%d.%02d" % divmod(v, 100) for k, v in team.items()}
if want != got:
    raise SystemExit("team list costs differ: oracle %r, tool %r" % (want, got))
if {k: v for k, v in lines.items() if v} != qty:
    raise SystemExit("invoice lines differ: oracle %r, tool %r" % (qty, lines))
print("%s: %d teams, every total to the cent, %d invoice lines" % (path.split("/")[-1], len(want), len(qty)))
EOF
  then ok; else bad "$f: team totals"; fi
done

# the Cost report drives the provider total and the true-up
out=$scratch/cost
if "$bin" render -q -c "$scratch/usage-cfg.json" --formats json --out "$out" \
     "$src/sample-data/usage-2026-10.jsonl" "$src/sample-data/cost-report-2026-10.json" 2>"$scratch/err-cost"; then
  if $py - "$out/report.json" "$src/sample-data/cost-report-2026-10.json" <<'EOF'
import json, sys
from decimal import Decimal as D
rep = json.load(open(sys.argv[1]))
billed = D(0)
for line in open(sys.argv[2]):
    for b in json.loads(line)["data"]:
        for r in b["results"]:
            billed += D(r["amount"])
billed = (billed / 100).quantize(D("0.01"))
T = rep["totals"]
assert D(T["provider_total"]) == billed, (T["provider_total"], billed)
assert rep["provider_total_source"] == "cost report", rep["provider_total_source"]
assert D(T["charged"]) + D(T["unallocated"]) == billed or D(T["charged"]) == billed, T
d = rep["reconciliation_detail"]
assert D(d["billed"]) == billed
assert sum(D(x["billed"]) for x in d["by_model"]) - D(d["billed"]) <= D("0.01") * len(d["by_model"])
assert sum(D(x["computed"]) for x in d["by_day"]) - D(d["computed"]) <= D("0.01") * len(d["by_day"])
assert any(x["token_type"] == "code_execution" for x in d["by_model"]), "the charge no log shows"
print("cost report: provider total", billed, "true-up", T["true_up"])
EOF
  then ok; else bad "cost report: report.json"; fi
else
  bad "cost report render: $(head -c 400 "$scratch/err-cost")"
fi

# a report fetched in part leaves a warning in report.json
head -n 1 "$src/sample-data/claude-code-2026-10.json" >"$scratch/part.json"
if "$bin" render -q -c "$cfg" --formats json --out "$scratch/part" "$scratch/part.json" 2>/dev/null &&
   grep -q 'has_more' "$scratch/part/report.json"; then ok; else bad "has_more: no warning in report.json"; fi

# an unknown document shape: exit 3, nothing written
printf '{"data": [{"id": "wrkspc_1", "name": "Default"}], "has_more": false}\n' >"$scratch/unknown.json"
"$bin" render -q --formats json --out "$scratch/unknown" "$scratch/unknown.json" 2>"$scratch/err-unknown"
st=$?
if [ "$st" = 3 ] && [ ! -e "$scratch/unknown" ] && grep -q "not an input chargeback reads" "$scratch/err-unknown"; then
  ok; else bad "unknown shape: exit $st"; fi

echo "readers: $pass passed, $fail failed"
[ "$fail" = 0 ]
