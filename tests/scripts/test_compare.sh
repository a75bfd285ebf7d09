#!/usr/bin/env bash
# The chargeback-model comparison (SPEC §7 `comparison`, --compare) on the sample month:
# - the shadow month always carries it: every team, the models usage, fixed and hybrid (no tiers
#   configured: tiered left out, said so), the configured hybrid column equal to each invoice and
#   to totals.charged, each column adding up to its total, each change the difference to hybrid;
# - every column equals the team totals of a real render with --model of that model (the columns
#   are the allocation code's own numbers, not a second implementation);
# - with tiers configured the tiered column is there too, and --model tiered --compare makes it
#   the configured one; without every team's headcount hybrid splits equally (not by the
#   headcounts some teams have) and the page says so; models the month's configuration refuses
#   are left out with the reason, and the month renders;
# - a billing month has none without --compare; warnings are printed once, not once per model;
# - the summary (index.html, summary.pdf, summary.xlsx) shows the table with every team and the
#   reading; each invoice (HTML, PDF, workbook) shows its own row.
# Skipped (exit 77) without python3; the workbook check also needs /usr/bin/python3 with openpyxl.
# Usage: test_compare.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1 scratch=$3
src=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
here=$(cd "$(dirname "$0")" && pwd)
data=$src/sample-data
rm -rf "$scratch" && mkdir -p "$scratch"
if ! command -v python3 >/dev/null; then
  echo "SKIP: python3 is needed to read report.json"
  exit 77
fi
fail=0
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
usage=$data/usage-2026-10.jsonl

render() { # OUT CONFIG [args]: a month with its stderr kept as OUT.err
  local out=$1 config=$2; shift 2
  "$bin" render --config "$config" --out "$scratch/$out" "$@" "$usage" >/dev/null \
    2>"$scratch/$out.err" || bad "render $out exited $?: $(head -n3 "$scratch/$out.err")"
}

# the configurations: as shipped, with tiers, without headcounts (and a usage model)
python3 - "$data/config.json" "$scratch" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["chargeback"]["tiers"] = [{"up_to": 20000000, "per_million": "2.00"},
                            {"up_to": 100000000, "per_million": "1.50"},
                            {"per_million": "1.00"}]
json.dump(c, open(sys.argv[2] + "/tiers.json", "w"))
c = json.load(open(sys.argv[1]))
c["chargeback"] = {"model": "usage", "fixed_share": 0.4, "fixed_basis": "headcount"}
for k in ("data", "support"):  # the others keep theirs: weighting by them would differ
    c["teams"][k].pop("headcount", None)
json.dump(c, open(sys.argv[2] + "/noheads.json", "w"))
c["chargeback"] = {"model": "hybrid", "fixed_share": 0.4, "fixed_basis": "equal"}
json.dump(c, open(sys.argv[2] + "/equal.json", "w"))
c = json.load(open(sys.argv[2] + "/tiers.json"))
c["chargeback"]["model"] = "tiered"
c["provider_invoice"] = {"2026-10": "5.00"}  # below the unallocated usage shown (10.87)
json.dump(c, open(sys.argv[2] + "/lowprov.json", "w"))
EOF

render shadow "$data/config.json" --shadow
render billing "$data/config.json" --formats json
render billing-compare "$data/config.json" --formats json --compare
for m in usage fixed hybrid; do
  render "as-$m" "$data/config.json" --formats json --model "$m"
done
render tiers-shadow "$scratch/tiers.json" --shadow --formats json,html
render tiers-billing "$scratch/tiers.json" --formats json --compare --model tiered
render as-tiered "$scratch/tiers.json" --formats json --model tiered
render noheads "$scratch/noheads.json" --formats json,html --compare
render equal-hybrid "$scratch/equal.json" --formats json
render lowprov "$scratch/lowprov.json" --formats json --compare
"$bin" render --compare >/dev/null 2>&1
[ $? -eq 2 ] || bad "render --compare without inputs is not a usage error"
"$bin" check --compare --config "$data/config.json" "$usage" >/dev/null 2>&1
[ $? -eq 2 ] || bad "check accepts --compare (a render option)"
for f in shadow/summary.pdf shadow/teams/data.pdf; do
  pdftotext -layout "$scratch/$f" "$scratch/$(tr / _ <<<"$f").txt" 2>/dev/null ||
    bad "pdftotext $f failed"
done

python3 - "$scratch" <<'EOF' || fail=$((fail+1))
import html, json, re, sys
from decimal import Decimal as D
out = sys.argv[1]
fails = []
def check(ok, what):
    if not ok:
        fails.append(what)
def load(name):
    return json.load(open(f"{out}/{name}/report.json", encoding="utf-8"))

def columns(r, want_models, label):
    """The comparison of r: the models, every team once, the configured column = the invoices,
    each column adding up to its total, each change = the difference to the configured model."""
    c = r.get("comparison")
    check(c is not None, f"{label}: no comparison")
    if c is None:
        return None
    check(c["models"] == want_models, f"{label}: models {c['models']}, want {want_models}")
    conf = r["chargeback_model"]
    check(c["configured"] == conf, f"{label}: configured {c['configured']}, report says {conf}")
    teams = {t["team"]: t for t in r["teams"]}
    check([t["team"] for t in c["teams"]] == sorted(teams),
          f"{label}: teams {[t['team'] for t in c['teams']]}, invoices {sorted(teams)}")
    for t in c["teams"]:
        check(set(t["charges"]) == set(want_models), f"{label}: {t['team']} has {t['charges']}")
        inv = teams.get(t["team"], {}).get("total")
        check(t["charges"].get(conf) == inv,
              f"{label}: {t['team']} {conf} column {t['charges'].get(conf)}, invoice {inv}")
        for m in want_models:
            d = D(t["charges"][m]) - D(t["charges"][conf])
            check(D(t["change"][m]) == d, f"{label}: {t['team']} change {m} {t['change'][m]}")
    check(c["totals"].get(conf) == r["totals"]["charged"],
          f"{label}: {conf} total {c['totals'].get(conf)}, charged {r['totals']['charged']}")
    for m in want_models:
        s = sum(D(t["charges"][m]) for t in c["teams"])
        check(s == D(c["totals"][m]), f"{label}: {m} column adds up to {s}, total {c['totals'][m]}")
    return c

# the sample month in shadow mode: every team, three models, hybrid configured
r = load("shadow")
c = columns(r, ["usage", "fixed", "hybrid"], "shadow")
check(len(r["teams"]) == 5, f"shadow: {len(r['teams'])} teams, want 5")
if c:
    check("tiered" in c["left_out"] and "no tiers" in c["left_out"]["tiered"],
          f"shadow: tiered not said to be left out: {c['left_out']}")
    check(c["hybrid_basis"] == "headcount", f"shadow: hybrid basis {c['hybrid_basis']}")
    check("no tiers are configured" in c["note"], f"shadow: note {c['note']!r}")
    for m in ("usage", "fixed"):
        check(f"Under {m} instead of hybrid" in c["reading"], f"shadow: reading lacks {m}")
    # each column is what a render under that model invoices
    for m in ("usage", "fixed", "hybrid"):
        a = {t["team"]: t["total"] for t in load("as-" + m)["teams"]}
        got = {t["team"]: t["charges"][m] for t in c["teams"]}
        check(got == a, f"shadow: {m} column {got}, render --model {m} {a}")
    # the reading names the teams that move most, with their changes
    worst = max(c["teams"], key=lambda t: D(t["change"]["usage"]))
    name = {t["team"]: t["name"] for t in r["teams"]}[worst["team"]]
    check(f"{name}, +{worst['change']['usage']} USD" in c["reading"] or
          f"{name} the most, +{worst['change']['usage']} USD" in c["reading"],
          f"shadow: reading lacks {name} +{worst['change']['usage']}: {c['reading']!r}")

# warnings once: the shadow month's are the billing month's
b = load("billing")
check("comparison" not in b, "billing month without --compare has a comparison")
check(b["warnings"] == r["warnings"], "shadow month's warnings differ from the billing month's")
n_b = open(f"{out}/billing.err").read().count("warning:")
n_s = open(f"{out}/shadow.err").read().count("warning:")
check(n_b == n_s, f"warnings printed {n_s} times in shadow mode, {n_b} in billing mode")
bc = load("billing-compare")
columns(bc, ["usage", "fixed", "hybrid"], "billing --compare")
if c and bc.get("comparison"):
    check([t["charges"] for t in bc["comparison"]["teams"]] ==
          [t["charges"] for t in c["teams"]], "--compare and shadow columns differ")

# tiers configured: four models; --model tiered makes tiered the configured column
t = load("tiers-shadow")
ct = columns(t, ["usage", "fixed", "hybrid", "tiered"], "tiers shadow")
tb = load("tiers-billing")
cb = columns(tb, ["usage", "fixed", "hybrid", "tiered"], "tiers --model tiered")
a = {x["team"]: x["total"] for x in load("as-tiered")["teams"]}
if ct:
    got = {x["team"]: x["charges"]["tiered"] for x in ct["teams"]}
    check(got == a, f"tiered column {got}, render --model tiered {a}")
    check(ct["left_out"] == {}, f"tiers: left out {ct['left_out']}")
if cb:
    check(cb["configured"] == "tiered", f"--model tiered: configured {cb['configured']}")
    check("Under hybrid instead of tiered" in cb["reading"], "--model tiered: reading")

# headcounts for some teams only: hybrid splits equally, said so, and is what fixed_basis
# "equal" invoices
n = load("noheads")
cn = columns(n, ["usage", "fixed", "hybrid"], "no headcounts")
if cn:
    check(cn["hybrid_basis"] == "equal", f"no headcounts: hybrid basis {cn['hybrid_basis']}")
    check("equally" in cn["note"] and "headcount" in cn["note"], f"no headcounts: {cn['note']!r}")
    a = {x["team"]: x["total"] for x in load("equal-hybrid")["teams"]}
    got = {x["team"]: x["charges"]["hybrid"] for x in cn["teams"]}
    check(got == a, f"no headcounts: hybrid column {got}, fixed_basis equal {a}")
    page = html.unescape(open(f"{out}/noheads/index.html", encoding="utf-8").read())
    check("not every team has a headcount" in page, "index.html does not say hybrid split equally")

# a month the other models refuse (usage, fixed and hybrid would charge the teams a negative
# total): tiered alone, the others left out with the reason, and the month still renders
lp = load("lowprov")
cl = columns(lp, ["tiered"], "low provider invoice")
if cl:
    check(sorted(cl["left_out"]) == ["fixed", "hybrid", "usage"], f"left out {cl['left_out']}")
    check(all("provider_invoice" in v and "lowprov.json" not in v for v in cl["left_out"].values()),
          f"left-out reasons {cl['left_out']}")
    check("Usage, fixed and hybrid are left out" in cl["note"], f"note {cl['note']!r}")

# the documents: the summary's table has every team's row, each invoice its own
def text(p):
    return html.unescape(re.sub(r"<[^>]+>", " ", open(p, encoding="utf-8").read()))
def squeeze(s):
    return re.sub(r"\s+", " ", s)
if c:
    page = squeeze(text(f"{out}/shadow/index.html"))
    pdf = squeeze(open(f"{out}/shadow_summary.pdf.txt", encoding="utf-8").read())
    check("Chargeback models compared" in page, "index.html has no comparison")
    check("Chargeback models compared" in pdf, "summary.pdf has no comparison")
    check(squeeze(c["reading"]) in page, "index.html lacks the reading")
    def money(s):
        return f"{D(s):,.2f}"
    def change(s):
        return ("+" if D(s) > 0 else "") + money(s)
    for x in c["teams"]:
        tn = {t["team"]: t for t in r["teams"]}[x["team"]]
        row = " ".join([tn["name"], money(x["charges"]["usage"]), change(x["change"]["usage"]),
                        money(x["charges"]["fixed"]), change(x["change"]["fixed"]),
                        money(x["charges"]["hybrid"])])
        check(row in page, f"index.html lacks the row {row!r}")
        check(row in pdf, f"summary.pdf lacks the row {row!r}")
        inv = squeeze(text(f"{out}/shadow/teams/{tn['slug']}.html"))
        check(row in inv, f"teams/{tn['slug']}.html lacks its row {row!r}")
        others = [o for o in r["teams"] if o["team"] != x["team"]]
        check(all(o["name"] + " " + money(o["total"]) not in inv.split("each chargeback model")[-1]
                  for o in others), f"teams/{tn['slug']}.html shows other teams' rows")
        if tn["team"] == "data":
            ipdf = squeeze(open(f"{out}/shadow_teams_data.pdf.txt", encoding="utf-8").read())
            check(row in ipdf, f"teams/data.pdf lacks its row {row!r}")
    tot = " ".join(["All teams", money(c["totals"]["usage"])])
    check(tot in page and tot in pdf, f"summary lacks the totals row {tot!r}")
for f in fails:
    print("FAIL:", f)
print(f"compare: {len(fails)} problems")
sys.exit(1 if fails else 0)
EOF

if /usr/bin/python3 -c 'import openpyxl' 2>/dev/null; then
  out=$(/usr/bin/python3 "$here/xlsx_check.py" "$scratch/shadow" 2>&1) ||
    { bad "workbooks of the shadow month:"; echo "$out" | head -20; }
else
  echo "SKIP: /usr/bin/python3 has no openpyxl: the workbooks are not checked"
  [ $fail -eq 0 ] && exit 77
fi
[ $fail -eq 0 ] && echo "compare: ok" || exit 1
