#!/usr/bin/env bash
# charges.csv is a journal one can post (issue 16): UTF-8 with a byte-order mark, read back by
# Python's csv module; posting date = issue date, due date = issue date + payment terms (empty
# on a shadow month), the team's display name and reference; teams in display order; with
# journal.credit_account (the sample configuration) each invoice's rows net to 0.00 through one
# credit line of −(its total, as report.json says); without it, no credit line and the rows of an
# invoice add up to its total. focus.csv stays without a BOM (docs/focus.md).
# Usage: test_charges_csv.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1 scratch=$3
src=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
py=/usr/bin/python3
[ -x "$py" ] || { echo "skip: $py missing"; exit 77; }
rm -rf "$scratch" && mkdir -p "$scratch"
data=$src/sample-data

# the sample configuration, and variants: 45-day terms and a reference; no credit account
"$py" - "$data/config.json" "$scratch" <<'EOF2'
import json, sys
c = json.load(open(sys.argv[1], encoding="utf-8"))
c.setdefault("invoice", {})["payment_terms_days"] = 45
c["teams"]["product"]["reference"] = "PO-4711, rev. B"
json.dump(c, open(sys.argv[2] + "/terms.json", "w", encoding="utf-8"), ensure_ascii=False)
del c["journal"]
json.dump(c, open(sys.argv[2] + "/nojournal.json", "w", encoding="utf-8"), ensure_ascii=False)
EOF2

fail=0
run() { # NAME CONFIG [OPTIONS...]
  local name=$1 cfg=$2
  shift 2
  if ! "$bin" render --quiet --formats json,csv,focus --config "$cfg" --out "$scratch/$name" "$@" \
      "$data/usage-2026-10.jsonl" >/dev/null 2>"$scratch/$name.err"; then
    echo "FAIL: render $name: $(head -n3 "$scratch/$name.err")"; fail=1
  fi
}
run sample "$data/config.json"
run terms "$scratch/terms.json"
run shadow "$data/config.json" --shadow
run nojournal "$scratch/nojournal.json"
[ $fail = 0 ] || exit 1

PYTHONPATH=$src/tests/scripts "$py" - "$scratch" <<'EOF2'
from sort_key import team_order_key
import csv, datetime, json, os, sys
from decimal import Decimal as D
root = sys.argv[1]
problems = []
def check(cond, what):
    if not cond:
        problems.append(what)

def month_dir(name):
    d = os.path.join(root, name)
    return d if os.path.exists(d + "/report.json") else os.path.join(d, os.listdir(d)[0])

cases = {  # name: (credit account, payment terms, shadow)
    "sample": ("2990-AI-RECHARGE", 30, False),
    "terms": ("2990-AI-RECHARGE", 45, False),
    "shadow": ("2990-AI-RECHARGE", 30, True),
    "nojournal": (None, 45, False),
}
for name, (credit, terms, shadow) in cases.items():
    d = month_dir(name)
    raw = open(d + "/charges.csv", "rb").read()
    check(raw.startswith(b"\xef\xbb\xbfperiod,"), f"{name}: charges.csv does not start with a BOM")
    check(raw.count(b"\xef\xbb\xbf") == 1, f"{name}: more than one BOM")
    focus = open(d + "/focus.csv", "rb").read()
    check(focus.startswith(b"BilledCost,"), f"{name}: focus.csv starts {focus[:12]!r}")
    rep = json.load(open(d + "/report.json", encoding="utf-8"))
    check(rep["mode"] == ("shadow" if shadow else "billing"), f"{name}: mode {rep['mode']}")
    rows = list(csv.DictReader(open(d + "/charges.csv", encoding="utf-8-sig", newline="")))
    check(list(rows[0])[:3] == ["period", "posting_date", "due_date"], f"{name}: header {list(rows[0])}")
    issue = datetime.date.fromisoformat(rep["issue_date"])
    check(rep.get("payment_terms_days", terms) == terms, f"{name}: terms {rep.get('payment_terms_days')}")
    due = "" if shadow else (issue + datetime.timedelta(days=terms)).isoformat()
    teams = {t["invoice_number"]: t for t in rep["teams"]}
    seen = []  # invoice numbers in file order
    sums = {}
    for n, r in enumerate(rows, 2):
        inv = r["invoice_number"]
        check(inv in teams, f"{name}:{n}: unknown invoice {inv}")
        if inv not in teams:
            continue
        t = teams[inv]
        if not seen or seen[-1] != inv:
            check(inv not in seen, f"{name}:{n}: {inv} split across the file")
            seen.append(inv)
        check(r["posting_date"] == issue.isoformat(), f"{name}:{n}: posting_date {r['posting_date']}")
        check(r["due_date"] == due, f"{name}:{n}: due_date {r['due_date']!r}, want {due!r}")
        if not shadow:
            check(r["due_date"] == rep.get("due_date"), f"{name}:{n}: due_date differs from report.json")
        check(r["team"] == t["team"] and r["team_name"] == t["name"],
              f"{name}:{n}: team {r['team']} {r['team_name']!r}, report.json {t['team']} {t['name']!r}")
        check(r["reference"] == (t.get("reference") or ""), f"{name}:{n}: reference {r['reference']!r}")
        sums[inv] = sums.get(inv, D(0)) + D(r["amount"])
        if r["kind"] == "credit":
            check(credit is not None, f"{name}:{n}: a credit line without journal.credit_account")
            check(r["gl_account"] == credit, f"{name}:{n}: credit to {r['gl_account']}")
            check(D(r["amount"]) == -D(t["total"]), f"{name}:{n}: credit {r['amount']}, total {t['total']}")
            nxt = rows[n - 1]["invoice_number"] if n - 1 < len(rows) else None
            check(nxt != inv, f"{name}:{n}: the credit line is not the invoice's last row")
    check(seen == [t["invoice_number"] for t in sorted(rep["teams"], key=lambda t: team_order_key(t["name"], t["team"]))],
          f"{name}: invoices in order {seen}")
    check(set(seen) == set(teams), f"{name}: invoices {sorted(set(teams) - set(seen))} missing")
    credits = sum(1 for r in rows if r["kind"] == "credit")
    check(credits == (len(teams) if credit else 0), f"{name}: {credits} credit lines")
    for inv, s in sums.items():
        want = D("0.00") if credit else D(teams[inv]["total"])
        check(s == want, f"{name}: {inv} rows sum to {s}, want {want}")
    if name == "sample":
        check(any(r["team_name"] == "Équipe Données" for r in rows), "sample: no Équipe Données row")
    if name == "terms":
        check(any(r["reference"] == "PO-4711, rev. B" for r in rows), "terms: reference missing")
for p in problems:
    print("FAIL:", p)
if problems:
    sys.exit(1)
print("ok: charges.csv BOM, dates, names, references, order and balance in 4 months")
EOF2
