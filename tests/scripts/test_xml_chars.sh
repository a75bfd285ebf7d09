#!/usr/bin/env bash
# Characters XML 1.0 forbids (U+FFFE, U+FFFF, C0 controls) in any tag or configured name never
# make an output ill-formed (issue 17 point 7): every XML part of every workbook parses, and the
# HTML pages hold none of them (they are shown as U+FFFD).
# Usage: test_xml_chars.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1 scratch=$3
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIP: no python3"; exit 77; }
[ -d "$scratch" ] && chmod -R u+w "$scratch" && rm -rf "$scratch"
mkdir -p "$scratch"
cd "$scratch" || exit 1

# Raw U+FFFE / U+FFFF bytes and \u escapes, in team, project, user, workflow and the names of
# the configuration (organisation, team name, cost center, issuer).
"$py" - <<'EOF'
import json
rows = [
    {"team": "data\ufffe", "project": "p\uffff", "user": "ana\u0001"},
    {"team": "web", "project": "site\ufffe\uffff", "user": "bo\ufffe", "workflow": "w\u0008"},
    {"team": "ops\u000b", "environment": "prod\ufffe"},
]
with open("usage.jsonl", "w", encoding="utf-8") as f:
    for i, r in enumerate(rows):
        r.update({"timestamp": "2026-10-0%dT10:00:00Z" % (i + 1), "model": "claude-sonnet-4-6",
                  "input_tokens": 1000 * (i + 1), "output_tokens": 100})
        f.write(json.dumps(r, ensure_ascii=(i == 1)) + "\n")  # raw bytes and \u escapes
cfg = {"organization": "Acme\ufffe Corp", "invoice": {"issuer": "Finance\uffff"},
       "teams": {"data\ufffe": {"name": "Data\uffff Platform", "cost_center": "D\ufffe1",
                                "budget": {"monthly": "100.00"}}}}
open("config.json", "w", encoding="utf-8").write(json.dumps(cfg, ensure_ascii=False))
EOF

if ! "$bin" render --quiet -c config.json --formats html,xlsx,json --out out usage.jsonl 2>err.txt; then
  echo "FAIL: render failed: $(cat err.txt)"; exit 1
fi
"$py" - out <<'EOF'
import glob, os, re, sys, zipfile
import xml.dom.minidom as minidom
out = sys.argv[1]
bad = checked = 0
forbidden = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
books = sorted(glob.glob(os.path.join(out, "*.xlsx")) + glob.glob(os.path.join(out, "teams", "*.xlsx")))
if len(books) < 4:
    print("FAIL: expected a summary and three team workbooks, got %d" % len(books)); bad += 1
replaced = False
for book in books:
    with zipfile.ZipFile(book) as z:
        for name in z.namelist():
            if not (name.endswith(".xml") or name.endswith(".rels")):
                continue
            data = z.read(name)
            checked += 1
            try:
                minidom.parseString(data)
            except Exception as e:
                print("FAIL: %s:%s does not parse as XML: %s" % (book, name, e)); bad += 1
            replaced = replaced or "\ufffd".encode() in data
for page in sorted(glob.glob(os.path.join(out, "*.html")) + glob.glob(os.path.join(out, "teams", "*.html"))):
    text = open(page, encoding="utf-8").read()
    checked += 1
    m = forbidden.search(text)
    if m:
        print("FAIL: %s holds U+%04X" % (page, ord(m.group()))); bad += 1
    for svg in re.findall(r"<svg.*?</svg>", text, re.S):
        try:
            minidom.parseString(svg.encode())
        except Exception as e:
            print("FAIL: %s: an inline SVG does not parse as XML: %s" % (page, e)); bad += 1
if not replaced:
    print("FAIL: no U+FFFD in any workbook: the forbidden characters went somewhere else"); bad += 1
print("%d parts and pages checked, %d failed" % (checked, bad))
sys.exit(1 if bad else 0)
EOF
