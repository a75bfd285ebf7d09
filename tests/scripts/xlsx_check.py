#!/usr/bin/python3
"""Reads every workbook of a month folder with openpyxl and checks it against report.json.

usage: xlsx_check.py MONTH_DIR

For each team: the Invoice sheet's line amounts are =ROUND(qty*price[/per],2) formulas whose
cached values equal report.json's line amounts, and the total is a =SUM whose cached value is
the team total. For the summary: each team's charge, the =SUM totals (charged, list cost), every
line of "All lines" and its total. Everywhere: the fixed sheet names, every formula of a known
harmless shape (no text from the data became a formula), text cells that look like formulas are
strings, the shadow header on every sheet in shadow mode, numbers stored as numbers.
Printing: every sheet landscape, fit to one page wide (fitToWidth 1, fitToHeight 0), a print
area from A1, a repeated header row on every sheet with a table (a row of shaded headings), the configured paper, no
column wider than 60 characters, the page header naming the document; money cells in the
configured currency's format; no boolean cells (no "Batch FALSE"); charts within the print
area, the summary's "Spend" chart at most 16 points.
The summary workbook's own sheets (Summary, Spend, Budgets, Budgets crossed, Month over month,
Revision) each hold one table,
so their one repeated header row is that table's, and each is at most PRINT_CHARS characters of
column width wide, so it prints at about 100 % (LibreOffice prints ~112 characters across a
landscape page at 100 %) rather than shrunk to fit.
Prints one line per problem and "xlsx_check: N workbooks ok" at the end; exits 1 on a problem.
"""
import json
import os
import re
import sys
from decimal import Decimal

import openpyxl
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sort_key import team_order_key  # noqa: E402

TEAM_SHEETS = ["Invoice", "By project", "By user", "By workflow", "By environment", "By model",
               "Daily", "Method"]
SUMMARY_SHEETS = ["Summary", "Spend", "Budgets", "Budgets crossed", "Month over month", "Revision",
                  "All lines", "Unallocated", "Daily", "Top projects", "Top users",
                  "By model", "Shared pools", "Tag coverage", "Inputs"]
SAFE_FORMULA = re.compile(r"^=(ROUND\([A-Z]+\d+\*[A-Z]+\d+(/\d+)?,2\)"
                          r"|SUM\([A-Z]+\d+:[A-Z]+\d+\)"
                          r"|ROUND\([A-Z]+\d+-[A-Z]+\d+,2\)"
                          r"|ROUND\([A-Z]+\d+/[A-Z]+\d+,2\)"
                          r"|(Summary!)?[A-Z]+\d+"
                          r"|ROUND\((Summary!)?[A-Z]+\d+-SUM\([A-Z]+\d+:[A-Z]+\d+\),2\))$")
SHADOW = "SHADOW \u2014 NOT BILLED"

problems = []


def problem(where, text):
    problems.append(f"{where}: {text}")


def cents(value):
    """A cached cell value (float) as exact cents, or None when it is not a whole cent."""
    if not isinstance(value, (int, float)):
        return None
    d = Decimal(repr(float(value)))
    c = d * 100
    return int(c) if c == c.to_integral_value() else None


def want_cents(text):
    c = Decimal(text) * 100
    return int(c)


def load(path):
    return (openpyxl.load_workbook(path, data_only=False),
            openpyxl.load_workbook(path, data_only=True))


MAX_WIDTH = 60
CHART_POINTS = 16
PRINT_CHARS = 125  # about 90 % in LibreOffice at the worst
ONE_TABLE_SHEETS = ("Summary", "Spend", "Budgets", "Budgets crossed", "Month over month",
                    "Revision")


def print_width(ws):
    """The characters of column width across the print area (unset columns 8.43)."""
    from openpyxl.utils import column_index_from_string
    area = ws.print_area
    a = str(area[0] if isinstance(area, list) else area)
    m = re.match(r"\$A\$1:\$([A-Z]+)\$", a)
    if not m:
        return 0
    widths = {}
    for key, dim in list(ws.column_dimensions.items()):
        if dim.width:
            lo = dim.min or column_index_from_string(key)
            for c in range(lo, (dim.max or lo) + 1):
                widths[c] = dim.width
    return sum(widths.get(c, 8.43) for c in range(1, column_index_from_string(m.group(1)) + 1))


def header_rows(ws):
    """The rows of shaded table headings."""
    return [r for r in range(1, ws.max_row + 1)
            if sum(1 for c in ws[r] if c.fill and c.fill.fgColor and c.fill.fgColor.rgb
                   and str(c.fill.fgColor.rgb).endswith("E8ECF2")) >= 2]


# chargeback repeats a sheet's first table header on printed pages only when that table goes
# past this row (1-based; REPEAT_PAST_ROW in render_xlsx.c is the 0-based 28): a shorter one
# prints whole on page 1, and its header repeated over the next page's other blocks
REPEAT_PAST_ROW = 29


def table_end(ws, head):
    """The last row of the table under header row `head`: rows up to the first empty one."""
    r = head
    while r + 1 <= ws.max_row and any(c.value not in (None, "") for c in ws[r + 1]):
        r += 1
    return r


def wants_repeat(ws, heads):
    return bool(heads) and table_end(ws, heads[0]) >= REPEAT_PAST_ROW


def col_index(letters):
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def check_print(path, ws, rep, title_words):
    """Page setup, widths and money formats of one sheet."""
    where = f"{path} [{ws.title}]"
    ps = ws.page_setup
    if ps.orientation != "landscape":
        problem(where, f"orientation {ps.orientation!r}, want landscape")
    if not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage:
        problem(where, "not set to fit to pages")
    # OOXML's default fitToWidth is 1 (libxlsxwriter leaves it out then)
    if (ps.fitToWidth if ps.fitToWidth is not None else 1) != 1 or ps.fitToHeight != 0:
        problem(where, f"fit to {ps.fitToWidth!r} x {ps.fitToHeight!r}, want 1 wide, height free")
    want_paper = 1 if rep.get("paper") == "Letter" else 9
    if rep.get("paper") in ("A4", "Letter") and int(ps.paperSize or 0) != want_paper:
        problem(where, f"paper {ps.paperSize!r}, want {want_paper}")
    area = ws.print_area
    if not area or not str(area[0] if isinstance(area, list) else area).startswith("$A$1:"):
        problem(where, f"print area {area!r}")
    else:
        a = str(area[0] if isinstance(area, list) else area)
        m = re.match(r"\$A\$1:\$([A-Z]+)\$(\d+)$", a)
        if not m or int(m.group(2)) < ws.max_row or col_index(m.group(1)) < ws.max_column:
            problem(where, f"print area {a} does not cover the used range "
                           f"({ws.max_column} columns, {ws.max_row} rows)")
    heads = header_rows(ws)
    if wants_repeat(ws, heads) and not ws.print_title_rows:
        problem(where, "no header row repeated on printed pages")
    if heads and not wants_repeat(ws, heads) and ws.print_title_rows:
        problem(where, f"repeats {ws.print_title_rows} though its first table ends on page 1")
    for letter, dim in ws.column_dimensions.items():
        if dim.width and dim.width > MAX_WIDTH:
            problem(where, f"column {letter} is {dim.width:.0f} characters wide")
    header = ws.oddHeader.left.text or ""
    if not all(w in header for w in title_words):
        problem(where, f"page header {header!r} lacks {title_words}")
    if "&P" not in (ws.oddFooter.right.text or ""):
        problem(where, "no page number in the footer")
    cur = rep["currency"]
    for row in ws.iter_rows():
        for c in row:
            if c.data_type == "b":
                problem(f"{where} {c.coordinate}", f"boolean cell {c.value!r}")
            fmt = c.number_format or ""
            if "0.00" in fmt and "####" not in fmt and "%" not in fmt and f'"{cur}"' not in fmt:
                problem(f"{where} {c.coordinate}", f"money format {fmt!r} lacks {cur}")
    for ch in ws._charts:
        anchor = ch.anchor._from
        if area and (anchor.col > col_index(re.match(r"\$A\$1:\$([A-Z]+)", str(
                area[0] if isinstance(area, list) else area)).group(1))):
            problem(where, f"chart anchored at column {anchor.col + 1}, right of the print area")


def check_charts_xml(path, summary):
    """The summary's bar chart has at most CHART_POINTS points (top 15 and others)."""
    import zipfile
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.startswith("xl/charts/chart"):
                continue
            xml = z.read(name).decode("utf-8")
            if summary and "<c:barChart>" in xml:
                m = re.search(r'<c:cat>.*?<c:ptCount val="(\d+)"', xml, re.S)
                n = int(m.group(1)) if m else 0
                if n > CHART_POINTS or n == 0:
                    problem(f"{path} {name}", f"bar chart of {n} points, want 1..{CHART_POINTS}")
            if summary and "<c:barChart>" not in xml and "<c:lineChart>" not in xml:
                problem(f"{path} {name}", "neither the spend bar chart nor the daily line chart")


def check_common(path, wf, wv, names, shadow):
    if wf.sheetnames[:len(names)] != names[:len(wf.sheetnames)] or \
            any(n not in wf.sheetnames for n in names):
        problem(path, f"sheets {wf.sheetnames}, want {names}")
    for ws in wf.worksheets:
        if shadow:
            header = ws.oddHeader.right.text or ""
            if SHADOW not in header:
                problem(f"{path} [{ws.title}]", f"no shadow header (got {header!r})")
            if SHADOW not in str(ws["A1"].value):
                problem(f"{path} [{ws.title}]", "A1 title lacks the shadow mark")
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    if not SAFE_FORMULA.match(str(c.value)):
                        problem(f"{path} [{ws.title}] {c.coordinate}",
                                f"unexpected formula {c.value!r}")
                    cached = wv[ws.title][c.coordinate].value
                    if not isinstance(cached, (int, float)):
                        problem(f"{path} [{ws.title}] {c.coordinate}",
                                f"formula without a cached number ({cached!r})")
                elif isinstance(c.value, str) and c.value[:1] in "=+-@" and c.data_type != "s":
                    problem(f"{path} [{ws.title}] {c.coordinate}", "formula-like text not a string")


def find_row(ws, col, text, start=1):
    for r in range(start, ws.max_row + 1):
        if ws.cell(r, col).value == text:
            return r
    return None


INVOICE_COLS = {"kind": 1, "desc": 2, "qty": 5, "price": 7, "amount": 8}
ALL_LINES_COLS = {"kind": 3, "desc": 6, "qty": 7, "price": 9, "amount": 10}


def check_lines(path, sf, sv, head_row, cols, lines, who):
    """Lines from head_row+1 in the columns `cols` (1-based); returns the row after them."""
    r = head_row + 1
    for i, line in enumerate(lines):
        amt = sf.cell(r, cols["amount"])
        where = f"{path} [{sf.title}] {amt.coordinate} ({who} line {i + 1})"
        if sf.cell(r, cols["kind"]).value != line["kind"]:
            problem(where, f"kind {sf.cell(r, cols['kind']).value!r}, want {line['kind']!r}")
        if sf.cell(r, cols["desc"]).value != line["description"]:
            problem(where, "description differs")
        if sf.cell(r, cols["qty"]).value != line["quantity"]:
            problem(where, f"quantity {sf.cell(r, cols['qty']).value!r}, want {line['quantity']}")
        f = str(amt.value)
        if not f.startswith("=ROUND("):
            problem(where, f"amount is not a ROUND formula: {f!r}")
        cached = cents(sv[amt.coordinate].value)
        if cached != want_cents(line["amount"]):
            problem(where, f"cached {sv[amt.coordinate].value!r}, want {line['amount']}")
        price = Decimal(repr(float(sv.cell(r, cols["price"]).value)))
        if price != Decimal(line["unit_price"]):
            problem(where, f"unit price {price}, want {line['unit_price']}")
        r += 1
    return r


def check_models(path, wf, wv, cmp, names, teams):
    """The Models sheet: a row per team of `teams` (the summary adds "All teams") with each
    model's total as report.json's comparison has it, and the change against the configured
    model as a ROUND formula beside each other model."""
    if "Models" not in wf.sheetnames:
        problem(path, "no Models sheet although report.json has a comparison")
        return
    sf, sv = wf["Models"], wv["Models"]
    head = find_row(sf, 1, "Team")
    if head is None:
        problem(f"{path} [Models]", "no table")
        return
    heads = [c.value for c in sf[head]]
    cols = {}
    for m in cmp["models"]:
        title = next((i for i, h in enumerate(heads, 1)
                      if h and h.lower().startswith(m + " (") or h and h.lower().startswith(m + ", ")),
                     None)
        if title is None:
            problem(f"{path} [Models]", f"no column for {m}: {heads}")
            return
        cols[m] = title
    # in the documents' order (display name, then id), as the Teams table
    ordered = sorted(teams, key=lambda t: team_order_key(names[t["team"]], t["team"]))
    rows = [(names[t["team"]], t["charges"]) for t in ordered]
    if len(teams) == len(cmp["teams"]):
        rows.append(("All teams", cmp["totals"]))
    for i, (name, charges) in enumerate(rows):
        r = head + 1 + i
        if sf.cell(r, 1).value != name:
            problem(f"{path} [Models] A{r}", f"team {sf.cell(r, 1).value!r}, want {name!r}")
        for m, col in cols.items():
            if cents(sv.cell(r, col).value) != want_cents(charges[m]):
                problem(f"{path} [Models] {sf.cell(r, col).coordinate}",
                        f"{m} {sv.cell(r, col).value!r}, want {charges[m]}")
            if m == cmp["configured"]:
                continue
            ch = sf.cell(r, col + 1)
            want = want_cents(charges[m]) - want_cents(charges[cmp["configured"]])
            if not str(ch.value).startswith("=ROUND(") or cents(sv[ch.coordinate].value) != want:
                problem(f"{path} [Models] {ch.coordinate}", f"change {ch.value!r}, want {want}")


def check_team(month, team, shadow, rep):
    path = os.path.join(month, "teams", team["slug"] + ".xlsx")
    wf, wv = load(path)
    cmp = rep.get("comparison")
    check_common(path, wf, wv, TEAM_SHEETS + (["Models"] if cmp else []), shadow)
    for ws in wf.worksheets:
        check_print(path, ws, rep, ["Invoice", team["invoice_number"]])
    if cmp:
        mine = [t for t in cmp["teams"] if t["team"] == team["team"]]
        check_models(path, wf, wv, cmp, {team["team"]: team["name"]}, mine)
    sf, sv = wf["Invoice"], wv["Invoice"]
    head = find_row(sf, 1, "Kind")
    if head is None:
        problem(path, "no lines table on Invoice")
        return
    r = check_lines(path, sf, sv, head, INVOICE_COLS, team["lines"], team["team"])
    total = sf.cell(r, 8)
    if not str(total.value).startswith("=SUM(") and team["lines"]:
        problem(f"{path} [Invoice] {total.coordinate}", f"total is not a SUM: {total.value!r}")
    if cents(sv[total.coordinate].value) != want_cents(team["total"]):
        problem(f"{path} [Invoice] {total.coordinate}",
                f"total cached {sv[total.coordinate].value!r}, want {team['total']}")
    if team["name"] not in [c.value for c in sf["B"]]:
        problem(path, "team name not on the Invoice sheet")


def check_summary(month, rep, shadow):
    path = os.path.join(month, "summary.xlsx")
    wf, wv = load(path)
    cmp = rep.get("comparison")
    # Budgets when some team has a budget or an anomaly; Budgets crossed lists the model's
    # budgets_crossed (which report.json does not carry: the unit fixture leaves it empty)
    has_budgets = any(t.get("budget") or t.get("anomalies") for t in rep["teams"])
    crossed = [t["budget"] for t in rep["teams"] if t.get("budget") and
               t["budget"]["state"] in ("threshold crossed", "over budget")]
    crossed += [b["budget"] for b in rep.get("budgets", [])
                if b["budget"]["state"] in ("threshold crossed", "over budget")]
    names = [n for n in SUMMARY_SHEETS if (n != "Budgets" or has_budgets)
             and (n != "Budgets crossed" or n in wf.sheetnames) and (n != "Spend" or rep["teams"])
             and (n != "Revision" or (rep.get("revision") or 1) > 1)
             and (n != "Month over month" or rep["totals"].get("mom"))]
    k = names.index("All lines")
    check_common(path, wf, wv, names[:k] + (["Models"] if cmp else []) + names[k:], shadow)
    for name in ONE_TABLE_SHEETS:
        if name not in wf.sheetnames:
            continue
        ws = wf[name]
        heads = header_rows(ws)
        if len(heads) != 1:
            problem(f"{path} [{name}]", f"{len(heads)} table header rows {heads}, want one "
                                        "(only one can repeat on printed pages)")
        elif wants_repeat(ws, heads) and ws.print_title_rows != f"${heads[0]}:${heads[0]}":
            problem(f"{path} [{name}]", f"repeats {ws.print_title_rows}, not its header row "
                                        f"{heads[0]}")
        w = print_width(ws)
        if w > PRINT_CHARS:
            problem(f"{path} [{name}]", f"{w:.0f} characters wide, more than {PRINT_CHARS}: "
                                        "it prints shrunk")
    if has_budgets and "Budgets" in wf.sheetnames:
        bf, bv = wf["Budgets"], wv["Budgets"]
        head = find_row(bf, 1, "Budget on")
        ordered_b = sorted(rep["teams"], key=lambda t: team_order_key(t["name"], t["team"]))
        for i, team in enumerate(ordered_b):
            r = head + 1 + i
            if bf.cell(r, 1).value != f"Team {team['name']}":
                problem(f"{path} [Budgets] A{r}", f"{bf.cell(r, 1).value!r}, want Team {team['name']}")
            b = team.get("budget")
            util = bv.cell(r, 4).value
            if b and (util is None or abs(Decimal(repr(float(util))) - Decimal(b["utilization"])) > Decimal("0.00005")):
                problem(f"{path} [Budgets] D{r}", f"utilization {util!r}, want {b['utilization']}")
            if not b and bf.cell(r, 5).value != "no budget":
                problem(f"{path} [Budgets] E{r}", f"state {bf.cell(r, 5).value!r}, want 'no budget'")
    if crossed and "Budgets crossed" in wf.sheetnames:
        cf = wf["Budgets crossed"]
        head = find_row(cf, 1, "Budget on")
        if cf.max_row < head + len(crossed):
            problem(f"{path} [Budgets crossed]", f"fewer rows than the {len(crossed)} budgets crossed")
    for ws in wf.worksheets:
        check_print(path, ws, rep, ["Chargeback summary", rep["period"]["month"]
                                    if isinstance(rep.get("period"), dict) and "month" in rep["period"]
                                    else ""])
    check_charts_xml(path, True)
    if cmp:
        check_models(path, wf, wv, cmp, {t["team"]: t["name"] for t in rep["teams"]},
                     cmp["teams"])
    sf, sv = wf["Summary"], wv["Summary"]
    head = find_row(sf, 1, "Team")
    # columns by their heading; teams in the documents' order (display name, then id)
    heads = {str(sf.cell(head, c).value).split(" (")[0]: c for c in range(1, sf.max_column + 1)}
    c_charge, c_list = heads["Total"], heads["List cost"]
    ordered = sorted(rep["teams"], key=lambda t: team_order_key(t["name"], t["team"]))
    for i, team in enumerate(ordered):
        r = head + 1 + i
        if sf.cell(r, 1).value != team["team"]:
            problem(f"{path} [Summary] A{r}", f"team {sf.cell(r, 1).value!r}, want {team['team']}")
        if cents(sv.cell(r, c_charge).value) != want_cents(team["total"]):
            problem(f"{path} [Summary] {sf.cell(r, c_charge).coordinate}",
                    f"charge {sv.cell(r, c_charge).value!r}, want {team['total']}")
        if cents(sv.cell(r, c_list).value) != want_cents(team["list_cost"]):
            problem(f"{path} [Summary] {sf.cell(r, c_list).coordinate}", "list cost differs")
        if sf.cell(r, heads["Invoice number"]).value != team["invoice_number"]:
            problem(f"{path} [Summary] row {r}", "invoice number differs")
    r = head + 1 + len(rep["teams"])
    if sf.cell(r, 1).value != "All teams":
        problem(f"{path} [Summary] A{r}", "no 'All teams' row")
    for col, key in ((c_charge, "charged"), (c_list, "list_cost")):
        c = sf.cell(r, col)
        if rep["teams"] and not str(c.value).startswith("=SUM("):
            problem(f"{path} [Summary] {c.coordinate}", f"not a SUM: {c.value!r}")
        if cents(sv[c.coordinate].value) != want_cents(rep["totals"][key]):
            problem(f"{path} [Summary] {c.coordinate}",
                    f"{key} cached {sv[c.coordinate].value!r}, want {rep['totals'][key]}")
    unalloc = sv.cell(r + 1, c_list).value
    if cents(unalloc) != want_cents(rep["unallocated"]["list_cost"]):
        problem(f"{path} [Summary] row {r + 1}", f"unallocated {unalloc!r}")
    diff = find_row(sf, 1, "Difference")
    if rep["totals"].get("reconciliation_difference") is not None:
        if diff is None or cents(sv.cell(diff, 4).value) != \
                want_cents(rep["totals"]["reconciliation_difference"]):
            problem(f"{path} [Summary]", "reconciliation difference missing or different")

    # the chart's data on the Spend sheet: the 15 largest charges (all teams when 16 or fewer),
    # then one row of the others, whose cached value is the total less those
    pf, pv = (wf["Spend"], wv["Spend"]) if "Spend" in wf.sheetnames else (None, None)
    block = find_row(pf, 1, "Team") if pf else None
    if block is None:
        problem(f"{path} [Spend]", "no chart data block")
    else:
        # the report's ranking: total descending, then the documents' order (name, then id)
        ranked = sorted(ordered, key=lambda t: -want_cents(t["total"]))
        shown = ranked if len(ranked) <= 16 else ranked[:15]
        for i, team in enumerate(shown):
            r = block + 1 + i
            if pf.cell(r, 1).value != team["name"] or \
                    cents(pv.cell(r, 2).value) != want_cents(team["total"]):
                problem(f"{path} [Spend] A{r}", f"chart row {pf.cell(r, 1).value!r} "
                                               f"{pv.cell(r, 2).value!r}, want {team['name']!r}")
        if len(ranked) > 16:
            r = block + 16
            want = want_cents(rep["totals"]["charged"]) - sum(want_cents(t["total"]) for t in shown)
            if pf.cell(r, 1).value != f"{len(ranked) - 15} other teams" or \
                    not str(pf.cell(r, 2).value).startswith("=ROUND(") or \
                    cents(pv.cell(r, 2).value) != want:
                problem(f"{path} [Spend] A{r}", f"others row {pf.cell(r, 1).value!r} "
                                               f"{pf.cell(r, 2).value!r}, want {want} cents")

    af, av = wf["All lines"], wv["All lines"]
    head = find_row(af, 1, "Team")
    if af.auto_filter.ref is None or af.freeze_panes is None:
        problem(f"{path} [All lines]", "no autofilter or frozen header")
    r = head + 1
    for team in ordered:  # every document lists teams by display name, then id
        for i, line in enumerate(team["lines"]):
            if af.cell(r, 1).value != team["team"] or \
                    af.cell(r, 2).value != team["invoice_number"]:
                problem(f"{path} [All lines] A{r}", "team or invoice number differs")
            r = check_lines(path, af, av, r - 1, ALL_LINES_COLS, [line], team["team"])
    total = av.cell(r + 1, 10).value
    if cents(total) != want_cents(rep["totals"]["charged"]):
        problem(f"{path} [All lines] J{r + 1}", f"total {total!r}, want {rep['totals']['charged']}")


def main():
    month = sys.argv[1]
    with open(os.path.join(month, "report.json"), encoding="utf-8") as f:
        rep = json.load(f)
    shadow = rep.get("mode") == "shadow"
    for team in rep["teams"]:
        check_team(month, team, shadow, rep)
    check_summary(month, rep, shadow)
    for p in problems:
        print(p)
    n = len(rep["teams"]) + 1
    if problems:
        print(f"xlsx_check: {len(problems)} problems in {n} workbooks")
        return 1
    print(f"xlsx_check: {n} workbooks ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
