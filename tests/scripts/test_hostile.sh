#!/usr/bin/env bash
# Hostile input through the real binary (issue 10). Renders tests/cases/adv_names (team, project,
# user, workflow and environment names carrying HTML, Mustache tags, paths, spreadsheet formulas,
# controls, bidi overrides, every script and a 3998-byte name; a config whose organization, cost
# centers, GL accounts, contact, issuer and footer do the same) in every format, then scans every
# file written:
#   - the parent of --out holds only the month folder (no temp folder, no file escaped by a path)
#     and every path in it is [a-z0-9._-] with no symlink;
#   - no payload reaches an HTML page unescaped, and templates have no <script> of their own;
#   - no CSV cell starts with = + - @ TAB CR unless it is a number (neutralized cells start with ');
#   - every XML part of every XLSX is well-formed (a control character in a name once made the
#     chart cache and document properties unreadable); every formula is a SUM or ROUND of cell
#     references, so no text from the data became a formula;
#   - the long name appears whole in report.json and the HTML; the PDFs shorten it with "…";
#   - report.json's counts add up; rejected.jsonl is one JSON object a line with file, line and
#     reason; every text file is valid UTF-8; stderr holds no terminal control byte.
# Then the --strict run writes nothing (no month, no temp folder), and input nested 100000 deep
# (JSON Lines, a JSON array, an Admin API page, the config, Mustache data) ends in a message,
# not a crash.
set -u
bin=$1
scratch=$3
here=$(cd "$(dirname "$0")" && pwd)
src=${CB_SOURCE_DIR:-$here/../..}
case_dir=$src/tests/cases/adv_names
rm -rf "$scratch"
mkdir -p "$scratch"
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
py=/usr/bin/python3

# ---- the hostile month, every format ----
parent=$scratch/parent
mkdir -p "$parent"
"$bin" render --config "$case_dir/config.json" --out "$parent/2026-10" - <"$case_dir/stdin" \
  >"$scratch/stdout" 2>"$scratch/stderr"
st=$?
[ $st = 0 ] && ok || { bad "render exited $st"; head -c 3000 "$scratch/stderr"; }
month=$parent/2026-10

entries=$(cd "$parent" && ls -A)
[ "$entries" = "2026-10" ] && ok || bad "parent of --out holds: $entries"
[ -z "$(find "$parent" -type l)" ] && ok || bad "symlink in the output"
odd=$(cd "$month" && find . -mindepth 1 | grep -v -E '^\./[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)?$')
[ -z "$odd" ] && ok || bad "unexpected paths: $odd"
[ "$(find "$month/teams" -name '*.html' | wc -l)" = 23 ] && ok || bad "expected 23 team pages"

if LC_ALL=C grep -q -P '[\x00-\x09\x0b-\x1f\x7f]' "$scratch/stderr"; then
  bad "stderr holds a control byte"
else ok; fi

# templates: no script of their own, so any <script in a page came from the data
if grep -qi '<script' "$src"/templates/*; then bad "a template holds <script"; else ok; fi

$py - "$month" "$src" <<'EOF' && ok || bad "scan of the rendered files"
import csv, json, os, re, subprocess, sys
month, src = sys.argv[1], sys.argv[2]
problems = []
def problem(t): problems.append(t)

LONG = "L" + "o" * 3994 + "ng!"
# the payloads as they would appear unescaped (the pages' own inline SVG is not one of them)
RAW_HTML = ["<script", "<img src=x", "<svg onload", "<i>Scripted", "<b>Acme",
            "onerror=alert(1)>", "onerror=alert(3)>", "\"><img", "'><svg"]
report = json.load(open(os.path.join(month, "report.json"), encoding="utf-8"))

# every text file is UTF-8
for root, _, files in os.walk(month):
    for f in files:
        p = os.path.join(root, f)
        if f.endswith((".html", ".csv", ".json", ".jsonl")):
            try:
                open(p, encoding="utf-8").read()
            except UnicodeDecodeError as e:
                problem(f"{p}: not UTF-8 ({e})")

# HTML: no payload unescaped; the long name whole; Mustache tags in data stay text
pages = [os.path.join(month, "index.html")] + [
    os.path.join(month, "teams", f) for f in sorted(os.listdir(os.path.join(month, "teams")))
    if f.endswith(".html")]
for p in pages:
    html = open(p, encoding="utf-8").read()
    low = html.lower()
    for raw in RAW_HTML:
        if raw.lower() in low:
            problem(f"{os.path.basename(p)}: raw {raw!r}")
    if "\u202e" in html:
        problem(f"{os.path.basename(p)}: bidi override U+202E written raw")
    for m in re.finditer(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", html):
        problem(f"{os.path.basename(p)}: control character {m.group()!r}")
        break
index = open(pages[0], encoding="utf-8").read()
if LONG not in index:
    problem("index.html: the 3998-byte team name is not there whole")
if "{{team}}{{{raw}}}" not in index:
    problem("index.html: the team named {{team}}{{{raw}}} is not shown literally")
long_team = [t for t in report["teams"] if t["team"] == LONG]
if not long_team or long_team[0]["name"] != LONG:
    problem("report.json: the 3998-byte team name is not there whole")
else:
    page = os.path.join(month, "teams", long_team[0]["slug"] + ".html")
    if LONG not in open(page, encoding="utf-8").read():
        problem(f"{page}: the 3998-byte team name is not there whole")
    pdf = os.path.join(month, "teams", long_team[0]["slug"] + ".pdf")
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True,
                          text=True).stdout
    if LONG not in text.replace("\n", "") and not re.search(r"Lo+…", text):
        problem(f"{pdf}: the long name is neither whole nor cut with an ellipsis")
summary = subprocess.run(["pdftotext", "-layout", os.path.join(month, "summary.pdf"), "-"],
                         capture_output=True, text=True).stdout
if not re.search(r"Lo+…", summary):
    problem("summary.pdf: the long name is not cut with an ellipsis")

# counts add up
i = report["inputs"]
if i["records_read"] != i["records_billed"] + i["records_rejected"] + i["duplicates"] + i["outside_period"]:
    problem(f"report.json: counts do not add up: {i}")
if (i["records_read"], i["records_rejected"]) != (27, 4):
    problem(f"report.json: expected 27 read and 4 rejected, got {i['records_read']}, {i['records_rejected']}")
if len(report["teams"]) != 23:
    problem(f"report.json: {len(report['teams'])} teams, expected 23")

# rejected.jsonl
for n, line in enumerate(open(os.path.join(month, "rejected.jsonl"), encoding="utf-8"), 1):
    try:
        o = json.loads(line)
    except ValueError:
        problem(f"rejected.jsonl:{n}: not JSON")
        continue
    for k in ("file", "line", "reason"):
        if k not in o:
            problem(f"rejected.jsonl:{n}: no {k!r}")

# CSV: no live formula
number = re.compile(r"^-?\d+(\.\d+)?$")
for name in ("charges.csv", "focus.csv"):
    neutral = 0
    for r, row in enumerate(csv.reader(open(os.path.join(month, name), encoding="utf-8", newline="")), 1):
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not number.match(cell):
                problem(f"{name}:{r}: live formula {cell[:60]!r}")
            if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@", "\t", "\r"):
                neutral += 1
    if neutral == 0:
        problem(f"{name}: no neutralized cell, yet the data is full of formulas")

# XLSX: every cell holding a payload is a string, and no formula carries one
import openpyxl
import xml.etree.ElementTree as ET
import zipfile
# the only formulas the renderer writes: sums and roundings of cell references, and plain
# references (the Spend sheet's chart data points at the summary's charge cells)
SAFE_FORMULA = re.compile(r"^=((ROUND|SUM)\(((Summary!)?\$?[A-Z]+\$?\d+|[0-9]+|[-+*/,:]|SUM\(|\))+\)|(Summary!)?\$?[A-Z]+\$?\d+)$")
books = [os.path.join(month, "summary.xlsx")] + [
    os.path.join(month, "teams", f) for f in sorted(os.listdir(os.path.join(month, "teams")))
    if f.endswith(".xlsx")]
for b in books:
    wb = openpyxl.load_workbook(b)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f" and re.search(r"HYPERLINK|evil|cmd|SUM\(A1|SUM\(1", str(c.value)):
                    problem(f"{os.path.basename(b)}:{ws.title}!{c.coordinate}: formula {c.value!r}")
                if c.data_type == "f" and not SAFE_FORMULA.match(str(c.value)):
                    problem(f"{os.path.basename(b)}:{ws.title}!{c.coordinate}: formula {c.value!r}")
    # every XML part parses: expat refuses the controls XML 1.0 forbids, as Excel does
    with zipfile.ZipFile(b) as z:
        for n in z.namelist():
            if n.endswith((".xml", ".rels")):
                try:
                    ET.fromstring(z.read(n))
                except ET.ParseError as e:
                    problem(f"{os.path.basename(b)}:{n}: not well-formed XML ({e})")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
EOF

# ---- --strict: a rejected record and nothing is written ----
sparent=$scratch/strict
mkdir -p "$sparent"
"$bin" render --strict --config "$case_dir/config.json" --out "$sparent/2026-10" \
  - <"$case_dir/stdin" >/dev/null 2>"$scratch/strict.err"
st=$?
[ $st = 1 ] && ok || bad "--strict exited $st, expected 1"
[ -z "$(ls -A "$sparent")" ] && ok || bad "--strict left: $(ls -A "$sparent")"

# ---- nested 100000 deep, in every place a parser meets it ----
deep=$scratch/deep
mkdir -p "$deep"
$py - "$deep" <<'EOF'
import sys
d = sys.argv[1]
N = 100000
rec = '{"timestamp":"2026-10-05T10:00:00Z","model":"claude-haiku-4-5","team":"a","input_tokens":1,"output_tokens":1'
ok = rec + '}'
open(f"{d}/lines.jsonl", "w").write(rec + ',"x":' + "[" * N + "]" * N + "}\n" + ok + "\n"
                                    + rec + ',"tags":' + '{"a":' * N + "1" + "}" * N + "}\n"
                                    + "[" * N + "\n" + "{" * N + "\n")
open(f"{d}/array.json", "w").write("[" + ok + "," + "[" * N + "]" * N + "," + ok + "]")
open(f"{d}/unclosed.json", "w").write("[" + ok + "," + "[" * N)
open(f"{d}/admin.json", "w").write('{"data":[{"starting_at":"2026-10-05T00:00:00Z","ending_at":'
                                   '"2026-10-06T00:00:00Z","results":[' + "[" * N + "]" * N
                                   + ']}],"has_more":false,"next_page":null}')
open(f"{d}/config.json", "w").write('{"teams":' + '{"a":' * N + "1" + "}" * N + "}")
open(f"{d}/t.mustache", "w").write("{{#a}}" * 50 + "x" + "{{/a}}" * 50)
open(f"{d}/deep.mustache", "w").write("{{#a}}" * N + "x" + "{{/a}}" * N)
open(f"{d}/data.json", "w").write('{"a":' * N + "1" + "}" * N)
EOF
run_deep() { # NAME WANT_STATUS ARGS...
  local name=$1 want=$2; shift 2
  "$bin" "$@" >"$deep/$name.out" 2>"$deep/$name.err"
  local st=$?
  if [ $st != "$want" ]; then
    bad "deep $name: exit $st, expected $want"; head -c 600 "$deep/$name.err"
  elif [ "$want" != 0 ] && ! grep -q . "$deep/$name.err" "$deep/$name.out"; then
    bad "deep $name: no message"
  else ok; fi
}
run_deep lines 1 check "$deep/lines.jsonl"
grep -q 'lines.jsonl:1: JSON nested deeper than' "$deep/lines.out" && ok || bad "deep lines: no file:line message"
run_deep array 1 check "$deep/array.json"
run_deep unclosed 1 check --month 2026-10 "$deep/unclosed.json"
run_deep admin 2 check "$deep/admin.json"
run_deep config 2 check --config "$deep/config.json" "$deep/lines.jsonl"
echo '{"a":{"a":1}}' >"$deep/shallow.json"
run_deep template 0 template "$deep/t.mustache" "$deep/shallow.json"
run_deep templatedata 2 template "$deep/t.mustache" "$deep/data.json"
run_deep templatesections 2 template "$deep/deep.mustache" "$deep/shallow.json"

echo "test_hostile: $pass passed, $fail failed"
[ $fail = 0 ]
