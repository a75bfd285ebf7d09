"""Cross-format check of one rendered month (tests/scripts/test_cross_format.sh).

Reads report.json (the model) and checks that every money amount, percentage and factor a
team's invoice and the summary show reads the same in the HTML text, the PDF text (pdftotext)
and the workbook's cell values; that the summary bridge is printed in every summary with the
model's labels, in its order; that the bridge adds up to the amount charged; and that the
percentages of the PDF and of the HTML are the same set (one decimal in one format and two in
another would differ). Prints one line per mismatch and exits 1 on any.
Usage: xf_check.py MONTH_DIR
"""
import html
import json
import re
import subprocess
import sys
from decimal import Decimal

import openpyxl
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sort_key import team_order_key  # noqa: E402

MONEY = re.compile(r"(?<![\w.,])-?\d{1,3}(?:,\d{3})*\.\d{2}(?![\d%])")
PCT = re.compile(r"(?<![\w.,])-?\d+(?:\.\d+)?%")
CENT = Decimal("0.01")


def html_text(path):
    s = open(path, encoding="utf-8").read()
    s = re.sub(r"<style.*?</style>", " ", s, flags=re.S)
    s = re.sub(r"<title>.*?</title>", " ", s, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", s)))


def pdf_text(path):
    out = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True,
                         check=True)
    return re.sub(r"\s+", " ", out.stdout)


def xlsx_cells(path):
    """(numbers, strings in sheet order) of every sheet; formulas by their cached values."""
    wb = openpyxl.load_workbook(path, data_only=True)
    nums, strings = set(), []
    for ws in wb:
        for row in ws.iter_rows(values_only=True):
            for v in row:
                if isinstance(v, bool):
                    continue
                if isinstance(v, (int, float)):
                    nums.add(Decimal(repr(float(v))))
                elif isinstance(v, str):
                    strings.append(v)
    return nums, strings


def grouped(amount):
    return f"{Decimal(amount):,.2f}"


def in_order(labels, text):
    at = 0
    for label in labels:
        k = text.find(label, at)
        if k < 0:
            return label
        at = k + len(label)
    return None


def main():
    d = sys.argv[1]
    r = json.load(open(f"{d}/report.json", encoding="utf-8"))
    errors = []
    model = r["chargeback_model"]

    def check(doc, files, money, percents, factors=()):
        h, p, x = files
        ht, pt = html_text(f"{d}/{h}"), pdf_text(f"{d}/{p}")
        nums, _ = xlsx_cells(f"{d}/{x}")
        h_money, p_money = set(MONEY.findall(ht)), set(MONEY.findall(pt))
        h_pct, p_pct = set(PCT.findall(ht)), set(PCT.findall(pt))
        for what, amount in money:
            g = grouped(amount)
            for fmt, found in (("HTML", h_money), ("PDF", p_money)):
                if g not in found:
                    errors.append(f"{doc}: {what} {g} not in the {fmt}")
            if Decimal(amount) not in {n.quantize(CENT) for n in nums}:
                errors.append(f"{doc}: {what} {amount} not a cell of the workbook")
        for what, ratio in percents:  # report.json ratios: "0.3672" -> "36.72%"
            text = f"{Decimal(ratio) * 100:.2f}%"
            for fmt, found in (("HTML", h_pct), ("PDF", p_pct)):
                if text not in found:
                    errors.append(f"{doc}: {what} {text} not in the {fmt}")
            want = Decimal(ratio)
            if want not in {n.quantize(Decimal("0.0001")) for n in nums}:
                errors.append(f"{doc}: {what} {ratio} not a cell of the workbook")
        for what, factor in factors:
            text = f"{factor}\u00d7"
            for fmt, t in (("HTML", ht), ("PDF", pt)):
                if text not in t:
                    errors.append(f"{doc}: {what} {text} not in the {fmt}")
            if Decimal(factor) not in {n.quantize(CENT) for n in nums}:
                errors.append(f"{doc}: {what} {factor} not a cell of the workbook")
        if p_pct != h_pct:
            errors.append(f"{doc}: percentages differ: PDF only {sorted(p_pct - h_pct)}, "
                          f"HTML only {sorted(h_pct - p_pct)}")
        return ht, pt

    shadow = r.get("mode") == "shadow"

    def header_fields(t, files, ht, pt):
        """Due date (not on a shadow month), bill-to person and e-mail, reference: the same in
        the three formats; the HTML page links to its PDF and workbook."""
        wb = openpyxl.load_workbook(f"{d}/{files[2]}", data_only=True)
        cells = [v for ws in wb for row in ws.iter_rows(values_only=True) for v in row
                 if v is not None]
        strings = " ".join(v for v in cells if isinstance(v, str))
        dates = {v.date().isoformat() for v in cells if hasattr(v, "date")}
        texts = (("HTML", ht), ("PDF", pt), ("workbook", strings))
        if shadow:
            if "due_date" in r:
                errors.append("shadow report.json has a due date")
            for fmt, text in texts:
                if "Due date" in text:
                    errors.append(f"{t['team']}: a due date on the shadow {fmt}")
        else:
            due = r["due_date"]
            for fmt, text in texts[:2]:
                if "Due date" not in text or due not in text:
                    errors.append(f"{t['team']}: due date {due} not in the {fmt}")
            if "Due date" not in strings or due not in dates:
                errors.append(f"{t['team']}: due date {due} not in the workbook")
        for what in ("owner", "contact", "reference"):
            if t.get(what):
                for fmt, text in texts:
                    if t[what] not in text:
                        errors.append(f"{t['team']}: {what} {t[what]} not in the {fmt}")
        if t.get("owner") or t.get("contact"):
            for fmt, text in texts:
                if "Bill to" not in text:
                    errors.append(f"{t['team']}: no \"Bill to\" in the {fmt}")
        page = open(f"{d}/{files[0]}", encoding="utf-8").read()
        for ext in ("pdf", "xlsx"):
            if f'href="{t["slug"]}.{ext}"' not in page:
                errors.append(f"{t['team']}: the HTML page does not link to {t['slug']}.{ext}")

    def rows(groups, limit=10):
        return groups[:limit]

    for t in r["teams"]:
        s = t["slug"]
        money = [("total", t["total"]), ("list cost", t["list_cost"])]
        money += [(f"line \"{l['description']}\"", l["amount"]) for l in t["lines"]]
        pct = [("share of all charges", t["share"])]
        b = t["budget"]
        if b is not None:
            pct.append(("budget utilization", b["utilization"]))
            if "monthly" in b:
                money.append(("monthly budget", b["monthly"]))
        factors = []
        for a in t["anomalies"]:
            money += [(f"anomaly {a['date']}", a["list_cost"]), ("mean day", a["mean_daily"])]
            factors.append((f"anomaly {a['date']}", a["factor"]))
        money += [(f"saving {x['kind']}", x["saving"]) for x in t["recommendations"]]
        for dim in ("by_project", "by_user", "by_workflow", "by_environment", "by_model"):
            for g in rows(t[dim]):
                money.append((f"{dim} {g['key']}", g["list_cost"]))
                pct.append((f"{dim} {g['key']}", g["share"]))
            total = sum(Decimal(g["list_cost"]) for g in t[dim])
            if t[dim] and total != Decimal(t["list_cost"]):
                errors.append(f"{t['team']}: {dim} adds up to {total}, list cost {t['list_cost']}")
            shares = sum(Decimal(g["share"]) for g in t[dim])
            if t[dim] and shares != 1:
                errors.append(f"{t['team']}: {dim} shares add up to {shares}")
        if t.get("supersedes"):
            money += [("previously invoiced", t["supersedes"]["previous_total"]),
                      ("difference to settle", t["supersedes"]["difference"])]
        if t.get("mom"):
            money += [("previous month's total", t["mom"]["previous_total"]),
                      ("change in total", t["mom"]["delta_total"])]
        files = (f"teams/{s}.html", f"teams/{s}.pdf", f"teams/{s}.xlsx")
        ht, pt = check(t["team"], files, money, pct, factors)
        header_fields(t, files, ht, pt)

    T = r["totals"]
    mom = T.get("mom")
    if mom:
        per_team = sum(Decimal(t["mom"]["previous_total"]) for t in r["teams"] if t["mom"])
        if per_team + Decimal(mom["teams_gone_total"]) != Decimal(mom["previous_total"]):
            errors.append(f"summary: previous totals {per_team} + teams gone "
                          f"{mom['teams_gone_total']} != {mom['previous_total']}")
        if Decimal(T["charged"]) - Decimal(mom["previous_total"]) != Decimal(mom["delta_total"]):
            errors.append("summary: month-over-month change is not charged - previous")
    bridge = T["bridge"]
    total = sum(Decimal(x["amount"]) for x in bridge)
    if total != Decimal(T["charged"]):
        errors.append(f"summary: the bridge adds up to {total}, charged is {T['charged']}")
    money = [("charged", T["charged"])]
    money += [(f"bridge \"{x['label']}\"", x["amount"]) for x in bridge]
    money += [(f"team {t['team']} total", t["total"]) for t in r["teams"]]
    money.append(("unallocated", r["unallocated"]["list_cost"]))
    pct = [(f"team {t['team']} share", t["share"]) for t in r["teams"]]
    if mom:
        money += [("previous month's total", mom["previous_total"]),
                  ("change in total", mom["delta_total"])]
        if mom["delta_pct"] is not None:
            pct.append(("change in total", mom["delta_pct"]))
        for t in r["teams"]:
            if t["mom"]:
                money += [(f"team {t['team']} previous total", t["mom"]["previous_total"]),
                          (f"team {t['team']} change", t["mom"]["delta_total"])]
                if t["mom"]["delta_pct"] is not None:
                    pct.append((f"team {t['team']} change", t["mom"]["delta_pct"]))
    if sum(Decimal(t["share"]) for t in r["teams"]) != 1 and r["teams"]:
        errors.append("summary: team shares do not add up to 100.00%")
    for g in rows(r["by_model"]) + rows(r["top_projects"]) + rows(r["top_users"]):
        money.append((f"row {g['key']}", g["list_cost"]))
        pct.append((f"row {g['key']}", g["share"]))
    # the documents list only the tags some usage carried (a row of 0.00 says nothing)
    for c in r["tag_coverage"]:
        if Decimal(c["list_cost"]) != 0:
            pct.append((f"coverage {c['tag']}", c["share"]))
    ht, pt = check("summary", ("index.html", "summary.pdf", "summary.xlsx"), money, pct)
    # one order of teams in every summary (display name bytewise, then id), each with its
    # invoice number and cost centre, and links to each team's documents in the HTML
    ordered = sorted(r["teams"], key=lambda t: team_order_key(t["name"], t["team"]))
    numbers = [t["invoice_number"] for t in ordered]
    _, strings = xlsx_cells(f"{d}/summary.xlsx")
    # a long invoice number may wrap inside its PDF cell (never cut): its lines are drawn one
    # after the other, so the raw text without line breaks holds it whole
    unwrapped = subprocess.run(["pdftotext", "-raw", f"{d}/summary.pdf", "-"],
                               capture_output=True, text=True, check=True).stdout.replace("\n", "")
    for fmt, text in (("HTML", ht), ("PDF", unwrapped), ("workbook", "\n".join(strings))):
        missing = in_order(numbers, text)
        if missing:
            errors.append(f"summary: invoice number {missing} missing or out of the teams' "
                          f"order in the {fmt}")
        for t in r["teams"]:
            if t["cost_center"] and t["cost_center"] not in text:
                errors.append(f"summary: cost center {t['cost_center']} not in the {fmt}")
    index = open(f"{d}/index.html", encoding="utf-8").read()
    for t in r["teams"]:
        for ext in ("html", "pdf", "xlsx"):
            if f'href="teams/{t["slug"]}.{ext}"' not in index:
                errors.append(f"summary: no link to teams/{t['slug']}.{ext}")
    result = "Would be charged to teams" if r.get("mode") == "shadow" else "Charged to teams"
    labels = [x["label"] for x in bridge] + [result]
    for fmt, text in (("HTML", ht), ("PDF", pt), ("workbook", "\n".join(strings))):
        missing = in_order(labels, text)
        if missing:
            errors.append(f"summary: bridge label \"{missing}\" missing or out of order in the "
                          f"{fmt}")
    for e in errors:
        print(f"FAIL ({model}): {e}")
    checked = len(r["teams"]) + 1
    if not errors:
        print(f"{model}: {checked} documents read the same in HTML, PDF and XLSX")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
