#!/usr/bin/env bash
# A project or user reads the same on the summary as on its team's invoice: the summary's row is
# the sum of the project's rows on the documents it appears in (each team's invoice, each shared
# pool), every one rounded to its own document's total. Before, the summary rounded its rows to
# the month's total on their own, and backend-api read 65.27 on the summary and 65.28 on
# Engineering's invoice. Checks every top project and top user whose usage report.json places
# wholly on team invoices (by request count), the sample's platform-rag against its shared pool,
# and the team tag's coverage against the teams' usage plus the pools (933.06, where it was
# split from the month's total on its own: 933.05), in the sample month and a generated month of
# 50 teams whose records all carry a team.
# Usage: test_breakdowns_agree.sh CHARGEBACK GEN-USAGE SCRATCH. Exits 77 (skipped) without
# python3.
set -u
. "$(dirname "$0")/common.sh"
need python3
"$gen" --records 100000 --teams 50 --users 500 --seed 3 --untagged-rate 0 --rule-rate 0 --out "$scratch/month.jsonl" >/dev/null ||
  { echo "gen-usage failed"; exit 1; }
fail=0
for input in "$src/sample-data/usage-2026-10.jsonl" "$scratch/month.jsonl"; do
  cfg=(); [ "$input" = "$scratch/month.jsonl" ] || cfg=(-c "$src/sample-data/config.json")
  out=$scratch/out-$(basename "$input" .jsonl)
  render_to "$out" "$input" "${cfg[@]}" --formats json || { fail=1; continue; }
  python3 - "$out/report.json" <<'PY' || fail=1
import json, sys
from decimal import Decimal as D
r = json.load(open(sys.argv[1], encoding="utf-8"))
bad = checked = 0
for org_key, team_key in (("top_projects", "by_project"), ("top_users", "by_user")):
    rows = {}
    for t in r["teams"]:
        for g in t.get(team_key, []):
            c, n = rows.get(g["key"], (D(0), 0))
            rows[g["key"]] = (c + D(g["list_cost"]), n + g["usage"]["requests"])
    for g in r[org_key]:
        if g["key"] not in rows or rows[g["key"]][1] != g["usage"]["requests"]:
            continue  # some of its usage is in a shared pool or unallocated
        checked += 1
        if D(g["list_cost"]) != rows[g["key"]][0]:
            bad += 1
            print(f"{org_key} {g['key']}: summary {g['list_cost']}, its invoices' rows {rows[g['key']][0]}")
pools = {p["key"]: p for p in r["shared_pools"]}
for g in r["top_projects"]:
    for name, p in pools.items():  # keyed by the pool's name
        if g["key"] not in {x["key"] for t in r["teams"] for x in t.get("by_project", [])} \
           and p["usage"]["requests"] == g["usage"]["requests"] and g["usage"]["requests"] > 0:
            checked += 1
            if g["list_cost"] != p["list_cost"]:
                bad += 1
                print(f"project {g['key']}: {g['list_cost']}, shared pool {name} {p['list_cost']}")
# the team tag's coverage is the teams' usage plus the shared pools (whose records all carry a
# team in both months)
cov = next(c for c in r["tag_coverage"] if c["tag"] == "team")
want = sum(D(t["list_cost"]) for t in r["teams"]) + sum(D(p["list_cost"]) for p in r["shared_pools"])
checked += 1
if D(cov["list_cost"]) != want:
    bad += 1
    print(f"tag coverage team {cov['list_cost']}, teams' usage plus shared pools {want}")
if checked == 0:
    print(f"{sys.argv[1]}: nothing to compare"); sys.exit(1)
print(f"{sys.argv[1]}: {checked} rows compared, {bad} differ")
sys.exit(1 if bad else 0)
PY
done
exit $fail
