#!/usr/bin/env bash
# Budgets and alerts through the real binary, on the golden month tests/cases/budgets_alerts
# (its README computes every figure by hand): the budget states read the same on the HTML, PDF
# and XLSX invoice and summary; report.json `alerts` is alerts.json's list; two renders give the
# same bytes; a re-render replaces a folder holding alerts.json; sign and verify cover it; a
# month without finance routes anomalies to the team and nothing to nobody by surprise.
# Usage: test_alerts.sh CHARGEBACK GEN-USAGE SCRATCH. Exits 77 (skipped) without pdftotext or
# python3 with openpyxl.
set -u
bin=$1
scratch=$3
src=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
case_dir=$src/tests/cases/budgets_alerts
py=/usr/bin/python3
[ -x "$py" ] || py=python3
command -v pdftotext >/dev/null 2>&1 || { echo "pdftotext missing: skipped"; exit 77; }
"$py" -c 'import openpyxl' 2>/dev/null || { echo "$py with openpyxl missing: skipped"; exit 77; }
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
contains() { if grep -qF -- "$2" <<<"$1"; then ok; else bad "$3: no \"$2\""; fi; }

[ -d "$scratch" ] && chmod -R u+w "$scratch" && rm -rf "$scratch"
mkdir -p "$scratch"
a=$scratch/a b=$scratch/b
"$bin" render --config "$case_dir/config.json" --out "$a" --quiet "$case_dir/usage.jsonl" ||
  bad "render a"
"$bin" render --config "$case_dir/config.json" --out "$b" --quiet "$case_dir/usage.jsonl" ||
  bad "render b"

# the same inputs give the same bytes
for f in alerts.json report.json; do
  if cmp -s "$a/$f" "$b/$f"; then ok; else bad "$f differs between two renders"; fi
done

# report.json carries the same alerts, and its project/user budgets
"$py" - "$a" <<'EOF' && ok || bad "report.json alerts / budgets"
import json, sys
d = sys.argv[1]
alerts = json.load(open(d + "/alerts.json"))
report = json.load(open(d + "/report.json"))
assert alerts["schema"] == "chargeback-alerts/1" and alerts["month"] == "2026-10", alerts
assert report["alerts"] == alerts["alerts"], "report.json alerts differ from alerts.json"
got = [(b["entity"], b["key"], b["budget"]["state"]) for b in report["budgets"]]
assert got == [("project", "checkout", "threshold crossed"), ("user", "bob", "over budget"),
               ("user", "carol", "threshold crossed")], got
web = [t for t in report["teams"] if t["team"] == "web"][0]
assert [(x["key"], x["team_used"]) for x in web["project_user_budgets"]] == \
    [("checkout", "4.20"), ("bob", "3.00"), ("carol", 1600000)], web["project_user_budgets"]
ml = [t for t in report["teams"] if t["team"] == "ml"][0]
assert ml["budget"]["monthly"] == "100.00" and ml["budget"]["state"] == "within budget", ml
assert report["unallocated_share"] == "0.0273", report["unallocated_share"]
EOF

# the invoice and the summary show the budget states, the same figures in every format
inv_html=$(cat "$a/teams/web.html")
sum_html=$(cat "$a/index.html")
inv_pdf=$(pdftotext -layout "$a/teams/web.pdf" - 2>/dev/null)
sum_pdf=$(pdftotext -layout "$a/summary.pdf" - 2>/dev/null)
for doc in inv_html inv_pdf; do
  text=${!doc}
  contains "$text" "Budgets of this team's projects and users" "$doc"
  contains "$text" "measured at list price across the organization" "$doc"
  for fig in "84.00%" "150.00%" "80.00%" "1,600,000" "over budget" "threshold crossed"; do
    contains "$text" "$fig" "$doc"
  done
done
for doc in sum_html sum_pdf; do
  text=${!doc}
  contains "$text" "Budgets crossed" "$doc"
  for fig in "User bob" "Project checkout" "User carol" "Team Web Shop" "76.80%"; do
    contains "$text" "$fig" "$doc"
  done
done
# sorted by utilization: bob 150 %, checkout 84 %, carol 80 %, web 76.8 %
order=$(grep -oE 'User bob|Project checkout|User carol|Team Web Shop' <<<"$sum_pdf" | head -4 | tr '\n' ,)
if [ "$order" = "User bob,Project checkout,User carol,Team Web Shop," ]; then ok; else
  bad "summary PDF order: $order"; fi
order=$(grep -oE 'User bob|Project checkout|User carol|Team Web Shop' <<<"$sum_html" | head -4 | tr '\n' ,)
if [ "$order" = "User bob,Project checkout,User carol,Team Web Shop," ]; then ok; else
  bad "summary HTML order: $order"; fi
"$py" - "$a" <<'EOF' && ok || bad "workbooks"
import openpyxl, sys
d = sys.argv[1]
def rows(path, sheet, title):
    ws = openpyxl.load_workbook(path)[sheet]
    out, on = [], False
    for r in ws.iter_rows(values_only=True):
        if r[0] == title:
            on = True
            continue
        if on:
            if r[0] is None and not out:
                continue  # the blank row under a sheet's title
            if r[0] is None or str(r[0]).startswith("Project and user budgets"):
                break
            out.append(tuple(c for c in r if c is not None))
    return out
s = rows(d + "/summary.xlsx", "Budgets crossed", "Budgets crossed")  # a sheet of its own
assert s[1:] == [("User bob", 2, 3, 1.5, "over budget"),
                 ("Project checkout", 5, 4.2, 0.84, "threshold crossed", "50%, 80%"),
                 ("User carol", 2000000, 1600000, 0.8, "threshold crossed", "75%"),
                 ("Team Web Shop", 10, 7.68, 0.768, "threshold crossed", "50%")], s
t = rows(d + "/teams/web.xlsx", "Method", "Budgets of this team's projects and users")
assert t[1:] == [("Project checkout", 5, 4.2, 4.2, 0.84, "threshold crossed", "50%, 80%"),
                 ("User bob", 2, 3, 3, 1.5, "over budget"),
                 ("User carol", 2000000, 1600000, 1600000, 0.8, "threshold crossed", "75%")], t
EOF

# a folder holding alerts.json is one of ours: rendering again replaces it
if "$bin" render --config "$case_dir/config.json" --out "$a" --quiet "$case_dir/usage.jsonl"; then
  ok; else bad "re-render into a folder with alerts.json"; fi
# sign-off lists alerts.json, and verify names it when it changes
if "$bin" sign "$a" --by "Test Signer" >/dev/null 2>&1; then ok; else bad "sign"; fi
if grep -q '"alerts.json"' "$a/SIGNOFF.json"; then ok; else bad "SIGNOFF.json lacks alerts.json"; fi
chmod u+w "$a" "$a/alerts.json"
printf '{}\n' >"$a/alerts.json"
out=$("$bin" verify "$a" 2>&1) && bad "verify passed a changed alerts.json" || ok
contains "$out" "alerts.json" "verify output"

# without finance: the anomaly goes to the team's contact, the unallocated share and the
# ownerless user budgets to nobody (role none), never dropped
c=$scratch/no-finance.json
"$py" - "$case_dir/config.json" "$c" <<'EOF'
import json, sys
cfg = json.load(open(sys.argv[1]))
del cfg["finance"]
json.dump(cfg, open(sys.argv[2], "w"))
EOF
"$bin" render --config "$c" --out "$scratch/nf" --quiet --formats json "$case_dir/usage.jsonl" ||
  bad "render without finance"
"$py" - "$scratch/nf" <<'EOF' && ok || bad "routing without finance"
import json, sys
a = json.load(open(sys.argv[1] + "/alerts.json"))["alerts"]
got = [(x["kind"], x["entity"]["id"], x["for"]["role"], x["for"]["email"]) for x in a]
assert got == [
    ("anomaly", "ml", "team", "ml-lead@acme.example"),
    ("budget_threshold", "web", "team", "web-lead@acme.example"),
    ("budget_threshold", "checkout", "budget_owner", "pat@acme.example"),
    ("budget_threshold", "checkout", "budget_owner", "pat@acme.example"),
    ("budget_over", "bob", "none", None),
    ("budget_threshold", "carol", "none", None),
    ("unallocated_share", None, "none", None)], got
EOF

echo "test_alerts: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
