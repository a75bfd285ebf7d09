#!/usr/bin/env bash
# The words of the documents (issue 16), in HTML, PDF and XLSX alike, on the sample month billed
# and as a shadow month:
#   - a shadow document carries no payment words (amount due, total due, payable, due date, pay)
#     and its footer is the fixed shadow footer, not the configured one; a billed one keeps both;
#   - every invoice and the summary carry the glossary box, with only the terms they use (Markup
#     on the team with a markup, not on the others; Shadow month only on shadow months);
#   - no jargon ("showback", "Charge by the model", "direct usage") and no "(s)" plurals in any
#     output, CSV and report.json included;
#   - a cost per unit of outcome reads as money (two decimals, or four below a cent);
#   - a shadow document is titled "Shadow invoice" / "Shadow chargeback summary" (HTML <title> and
#     heading, PDF heading and document info Title, XLSX title cell and document properties); a
#     billed one is titled "Invoice" / "Chargeback summary" and never says "Shadow" there.
# Skipped (exit 77) without pdftotext, pdfinfo or python3.
# Usage: test_words.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1 scratch=$3
src=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
data=$src/sample-data
rm -rf "$scratch" && mkdir -p "$scratch"
for tool in pdftotext pdfinfo python3; do
  if ! command -v $tool >/dev/null; then
    echo "SKIP: $tool is needed"
    exit 77
  fi
done

for mode in billed shadow; do
  flag=
  [ $mode = shadow ] && flag=--shadow
  if ! "$bin" render --quiet $flag --config "$data/config.json" --out "$scratch/$mode" \
    "$data/usage-2026-10.jsonl" >/dev/null 2>"$scratch/$mode.err"; then
    echo "FAIL: render ($mode) failed: $(head -n3 "$scratch/$mode.err")"
    exit 1
  fi
  while IFS= read -r -d '' pdf; do
    pdftotext -layout "$pdf" "$pdf.txt" 2>/dev/null || { echo "FAIL: pdftotext $pdf"; exit 1; }
  done < <(find "$scratch/$mode" -name '*.pdf' -print0)
done

python3 - "$scratch" <<'EOF'
import glob, html, json, os, re, subprocess, sys, zipfile

scratch = sys.argv[1]
fails = []

def text_of(path):
    """The words a reader sees in one document (PDF via pdftotext, HTML without tags and
    styles, XLSX from its shared strings and inline strings)."""
    if path.endswith(".pdf"):
        return open(path + ".txt", encoding="utf-8").read()
    if path.endswith(".html"):
        t = open(path, encoding="utf-8").read()
        t = re.sub(r"<style.*?</style>", " ", t, flags=re.S)
        return html.unescape(re.sub(r"<[^>]+>", " ", t))
    if path.endswith(".xlsx"):
        parts = []
        with zipfile.ZipFile(path) as z:
            for n in z.namelist():
                if n == "xl/sharedStrings.xml" or n.startswith("xl/worksheets/sheet"):
                    x = z.read(n).decode("utf-8")
                    parts += [html.unescape(m) for m in re.findall(r"<t[^>]*>([^<]*)</t>", x)]
        return "\n".join(parts)
    return open(path, encoding="utf-8-sig").read()

def docs(mode):
    base = os.path.join(scratch, mode)
    out = []
    for ext in ("pdf", "html", "xlsx"):
        out += sorted(glob.glob(os.path.join(base, "*." + ext)))
        out += sorted(glob.glob(os.path.join(base, "teams", "*." + ext)))
    return out

payment = re.compile(r"amount due|total due|payable|due date|\bpay(s|ing|ment|ments)?\b|\bpaid\b",
                     re.I)
jargon = re.compile(r"showback|charge by the model|direct usage|\w\(s\)", re.I)
GLOSSARY = "Terms used on this document"
SHADOW_FOOTER = "Shadow month: for information only; nothing is billed."
CONFIGURED_FOOTER = "Payable by internal transfer within 30 days"

counts = {}
for mode in ("billed", "shadow"):
    files = docs(mode)
    if len(files) != 3 * 6:
        fails.append(f"{mode}: expected 18 documents (summary + 5 teams, 3 formats), got {len(files)}")
    for f in files:
        name = os.path.relpath(f, scratch)
        t = re.sub(r"\s+", " ", text_of(f))
        if GLOSSARY not in t:
            fails.append(f"{name}: no glossary box")
        if "List price:" not in t and "List price " not in t:
            fails.append(f"{name}: glossary lacks List price")
        if "Chargeback model" not in t or "hybrid model" not in t:
            fails.append(f"{name}: glossary lacks the chargeback model used")
        m = jargon.search(t)
        if m:
            fails.append(f"{name}: jargon {m.group(0)!r}")
        if mode == "shadow":
            m = payment.search(t)
            if m:
                i = m.start()
                fails.append(f"{name}: payment word {m.group(0)!r} in ...{t[max(0, i - 40):i + 40]}...")
            if SHADOW_FOOTER not in t:
                fails.append(f"{name}: no shadow footer")
            if "Shadow month" not in t.replace(SHADOW_FOOTER, ""):
                fails.append(f"{name}: glossary lacks Shadow month")
        else:
            if CONFIGURED_FOOTER not in t:
                fails.append(f"{name}: the configured footer is missing on a billed month")
            if "Shadow month" in t:
                fails.append(f"{name}: Shadow month on a billed month")
        # the glossary shows only the terms the document uses: product has a 5% markup, the
        # other teams none
        if "/teams/" in "/" + name.replace(os.sep, "/"):
            team = os.path.basename(f).split(".")[0]
            has_markup = re.search(r"Markup(:| A percentage)", t) is not None
            if (team == "product") != has_markup:
                fails.append(f"{name}: glossary Markup entry {'present' if has_markup else 'absent'}")
        counts[mode] = counts.get(mode, 0) + 1
    # invoices show the total under the right label
    for f in files:
        if f.endswith(".pdf") and "/teams/" in f:
            t = text_of(f)
            want = "Would be charged" if mode == "shadow" else "Amount due"
            if want not in t:
                fails.append(f"{os.path.relpath(f, scratch)}: no {want!r}")
    # every other output of the month: no jargon, no "(s)"
    for f in glob.glob(os.path.join(scratch, mode, "**", "*"), recursive=True):
        if f.endswith((".csv", ".json")):
            m = jargon.search(text_of(f))
            if m:
                fails.append(f"{os.path.relpath(f, scratch)}: jargon {m.group(0)!r}")

# the titles: what a reader sees first, and what a file browser or mail client shows
def titles(path):
    """(the visible title, the metadata title) of one document."""
    if path.endswith(".html"):
        t = open(path, encoding="utf-8").read()
        head = re.search(r"<title>(.*?)</title>", t, re.S).group(1)
        h1 = re.search(r"<h1>(.*?)</h1>", t, re.S).group(1)
        return html.unescape(h1), html.unescape(head)
    if path.endswith(".pdf"):
        info = subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout
        m = re.search(r"^Title:\s*(.*)$", info, re.M)
        # the heading is the second line of the left column (under the organization)
        left = [re.split(r"\s{2,}", l)[0] for l in open(path + ".txt", encoding="utf-8")
                .read().splitlines()[:8] if l and not l[0].isspace()]
        return left[1] if len(left) > 1 else "", m.group(1) if m else ""
    with zipfile.ZipFile(path) as z:
        core = z.read("docProps/core.xml").decode("utf-8")
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
        strings = z.read("xl/sharedStrings.xml").decode("utf-8") if "xl/sharedStrings.xml" in z.namelist() else ""
    m = re.search(r'<c r="A1"[^>]*t="s"[^>]*><v>(\d+)</v>', sheet)
    a1 = ""
    if m:
        sis = re.findall(r"<si>(.*?)</si>", strings, re.S)
        a1 = html.unescape("".join(re.findall(r"<t[^>]*>([^<]*)</t>", sis[int(m.group(1))])))
    t = re.search(r"<dc:title>(.*?)</dc:title>", core, re.S)
    return a1, html.unescape(t.group(1)) if t else ""

for mode in ("billed", "shadow"):
    for f in docs(mode):
        name = os.path.relpath(f, scratch)
        is_invoice = "/teams/" in "/" + name.replace(os.sep, "/")
        if mode == "shadow":
            want = "Shadow invoice" if is_invoice else "Shadow chargeback summary"
        else:
            want = "Invoice" if is_invoice else ("Chargeback summary" if not f.endswith(".html")
                                                 else "AI usage chargeback")
        seen, meta = titles(f)
        for what, v in (("title", seen), ("metadata title", meta)):
            if f.endswith(".html") and what == "metadata title" and mode == "billed":
                if "Shadow" in v:
                    fails.append(f"{name}: {what} {v!r} says Shadow on a billed month")
                continue
            if want not in v:
                fails.append(f"{name}: {what} {v!r} lacks {want!r}")
            if mode == "billed" and "Shadow" in v:
                fails.append(f"{name}: {what} {v!r} says Shadow on a billed month")

# the PDF heading never runs into the key/value block beside it (22 pt "Shadow chargeback
# summary" did): its last word ends left of "Period"
for mode in ("billed", "shadow"):
    for f in docs(mode):
        if not f.endswith(".pdf"):
            continue
        bbox = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", f, "-"],
                              capture_output=True, text=True).stdout
        words = [(float(a), float(b), float(c), w) for a, b, c, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', bbox)]
        first = titles(f)[0].split()[0]
        head = next((x for x in words if x[3] == first and x[0] < 100), None)
        period = next((x for x in words if x[3] == "Period"), None)
        if not head or not period:
            fails.append(f"{os.path.relpath(f, scratch)}: no heading or no Period on page 1")
            continue
        line = [x for x in words if abs(x[1] - head[1]) < 3 and x[0] < period[0] - 1]
        right = max(x[2] for x in line)
        if right > period[0] - 4:
            fails.append(f"{os.path.relpath(f, scratch)}: the heading ends at x={right:.0f}, "
                         f"into the block at x={period[0]:.0f}")

# a cost per unit of outcome is money: two decimals, or four below a cent
page = open(os.path.join(scratch, "billed", "teams", "support.html"), encoding="utf-8").read()
m = re.search(r"Cost per unit.*?<tbody>(.*?)</tbody>", page, re.S)
if not m:
    fails.append("support.html: no unit economics table")
else:
    cells = re.findall(r'<td class="num">([^<]*)</td></tr>', m.group(1))
    if not cells:
        fails.append("support.html: unit economics table has no rows")
    for c in cells:
        if not re.fullmatch(r"-?[\d,]+\.\d\d|-?0\.\d{4}", c):
            fails.append(f"support.html: cost per unit {c!r} is not money")

if fails:
    print("FAIL:\n  " + "\n  ".join(fails[:40]))
    sys.exit(1)
print(f"ok: {counts} documents checked")
EOF
