#!/usr/bin/python3
"""Evaluates the static rules of the FinOps Foundation's FOCUS 1.2 rule set (model-1.2.json,
from finopsfoundation/focus_validator) on a focus.csv, for a declared set of capabilities.

Usage: focus_check.py [--model FILE] [--capabilities A,B,...] [--examples N] FILE.csv

The evaluator is generic: it walks the rule tree from CostAndUsage-D-000-M, carrying each
composite's Condition down to its children, and evaluates every CheckFunction of the model
row by row. A null (empty) cell is not equal to any value ("ChargeClass is not Correction" holds
for a null ChargeClass); type and format checks and column comparisons are unknown on a null
cell, and an unknown requirement is no violation, an unknown condition does not apply the rule.
Decisions where the model is silent:
- a rule applies when ALL its ApplicabilityCriteria are declared ("when the provider supports
  unit pricing concepts AND publishes price lists"); a non-applicable rule skips its subtree;
- Dynamic rules and MAY/OPTIONAL rules are not checked (listed as counts);
- the rules of a column absent from the file are not evaluated; its presence rule reports it;
- numbers are compared as exact decimals (ListCost-C-009: ListUnitPrice x PricingQuantity must
  equal ListCost exactly); FormatString checks valid Unicode (StringHandling-A-001-M).
Prints each failed rule with rows and values, MUST and SHOULD separately; exit 1 on any MUST
failure, 2 on a usage or file error, 0 otherwise. Standard library only."""

import argparse
import csv
import json
import os
import re
import sys
from decimal import Decimal, InvalidOperation

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODEL = os.path.join(HERE, "..", "..", "..", "shared", "conformance", "focus",
                             "model-1.2.json")
DEFAULT_CAPS = ("TAGGING_SUPPORTED,SUB_ACCOUNT_SUPPORTED,PUBLIC_PRICE_LIST_SUPPORTED,"
                "USAGE_MEASUREMENT_SUPPORTED,UNIT_PRICING_SUPPORTED,ACCOUNT_NAMING_SUPPORTED")
MUST = {"MUST", "MUST NOT"}
SHOULD = {"SHOULD", "SHOULD NOT", "RECOMMENDED", "NOT RECOMMENDED"}
NUMERIC = re.compile(r"^-?([0-9]*\.)?[0-9]+([eE]-?[0-9]+)?$")  # NumericFormat-A-003..011
DATETIME = re.compile(r"^[0-9]{4}-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z$")
_SIZE = "b|Kb|Mb|Gb|Tb|Pb|Eb|B|KB|MB|GB|TB|PB|EB|Kib|Mib|Gib|Tib|Pib|Eib|KiB|MiB|GiB|TiB|PiB|EiB"
_T1 = "Year|Month|Day|Hour|Minute|Second"
_TN = "Years|Months|Days|Hours|Minutes|Seconds"
_CNT = r"[A-Za-z][A-Za-z0-9]*(?: [A-Za-z][A-Za-z0-9]*)*"
UNIT = re.compile("|".join("(?:%s)" % p for p in (  # FOCUS UnitFormat attribute
    r"^(?:%s|%s|%s|%s)$" % (_SIZE, _T1, _TN, _CNT),
    r"^(?:%s|%s)-(?:%s)$" % (_SIZE, _CNT, _TN),
    r"^(?:%s|%s|%s)/(?:%s)$" % (_SIZE, _CNT, _TN, _T1),
    r"^[0-9]+ (?:%s|%s|%s|%s)$" % (_SIZE, _T1, _TN, _CNT),
    r"^(?:%s|%s|%s)/[0-9]+ (?:%s)$" % (_SIZE, _CNT, _TN, _TN))))


def dec(s):
    if s is None or not NUMERIC.match(s.strip()):
        return None
    try:
        return Decimal(s.strip())
    except InvalidOperation:
        return None


def same(a, b):
    """Equality of a cell with a value or another cell: numerically when both are numbers."""
    da, db = dec(a if isinstance(a, str) else str(a)), dec(b if isinstance(b, str) else str(b))
    if da is not None and db is not None:
        return da == db
    return str(a) == str(b)


def tand(vals):
    vals = list(vals)
    if any(v is False for v in vals):
        return False
    return None if any(v is None for v in vals) else True


def tor(vals):
    vals = list(vals)
    if any(v is True for v in vals):
        return True
    return None if any(v is None for v in vals) else False


class Checker:
    def __init__(self, model, caps, currencies):
        self.rules = model["ModelRules"]
        self.caps = set(caps)
        self.currencies = currencies
        self.results = {}  # rule id -> (status, keyword, failures)

    def load(self, path):
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            self.header = next(reader, [])
            self.rows = []
            for n, rec in enumerate(reader, start=2):
                if len(rec) != len(self.header):
                    raise ValueError("%s:%d: %d cells, the header has %d" %
                                     (path, n, len(rec), len(self.header)))
                self.rows.append({k: (v if v != "" else None) for k, v in zip(self.header, rec)})
        self.columns = set(self.header)

    # -- row checks: True, False or None (unknown) --
    def cell(self, row, col):
        return row.get(col)

    def row_check(self, node, row):
        f = node.get("CheckFunction")
        if not f:
            return True
        g = lambda k: self.cell(row, node[k])  # noqa: E731
        if f == "AND":
            return tand(self.row_check(i, row) for i in node["Items"])
        if f == "OR":
            return tor(self.row_check(i, row) for i in node["Items"])
        if f == "CheckModelRule":
            return self.row_pass(node["ModelRuleId"], row)
        if f == "CheckValue":
            v = g("ColumnName")
            if node["Value"] is None:
                return v is None
            return v is not None and same(v, node["Value"])
        if f == "CheckNotValue":
            v = g("ColumnName")
            if node["Value"] is None:
                return v is not None
            return v is None or not same(v, node["Value"])
        if f in ("CheckSameValue", "CheckNotSameValue"):
            a, b = g("ColumnAName"), g("ColumnBName")
            if a is None or b is None:
                return None
            return same(a, b) == (f == "CheckSameValue")
        if f == "CheckGreaterOrEqualThanValue":
            v = g("ColumnName")
            return None if v is None else (dec(v) is not None and dec(v) >= Decimal(str(node["Value"])))
        v = g("ColumnName") if "ColumnName" in node else None
        if f in ("TypeDecimal", "FormatNumeric", "CheckDecimalValue"):
            return None if v is None else dec(v) is not None
        if f in ("TypeString", "FormatString"):
            return None if v is None else self.unicode_ok(v)
        if f in ("TypeDateTime", "FormatDateTime"):
            return None if v is None else self.datetime_ok(v)
        if f == "FormatUnit":
            return None if v is None else bool(UNIT.match(v))
        if f == "FormatKeyValue":
            return None if v is None else self.keyvalue_ok(v)
        if f in ("FormatCurrency", "CheckNationalCurrency"):
            return None if v is None else v in self.currencies
        if f == "ColumnByColumnEqualsColumnValue":
            a, b, r = g("ColumnAName"), g("ColumnBName"), g("ResultColumnName")
            if a is None or b is None or r is None:
                return None
            da, db, dr = dec(a), dec(b), dec(r)
            return da is not None and db is not None and dr is not None and da * db == dr
        raise ValueError("unknown CheckFunction %s" % f)

    @staticmethod
    def unicode_ok(v):
        try:
            v.encode("utf-8")
            return True
        except UnicodeEncodeError:
            return False

    @staticmethod
    def datetime_ok(v):
        if not DATETIME.match(v):
            return False
        y, mo, d, h = int(v[0:4]), int(v[5:7]), int(v[8:10]), int(v[11:13])
        mdays = [31, 29 if (y % 4 == 0 and y % 100) or y % 400 == 0 else 28, 31, 30, 31, 30,
                 31, 31, 30, 31, 30, 31]
        return 1 <= mo <= 12 and 1 <= d <= mdays[mo - 1] and h <= 23

    @staticmethod
    def keyvalue_ok(v):
        pairs = []
        try:
            json.loads(v, object_pairs_hook=lambda p: pairs.append(p) or dict(p))
        except ValueError:
            return False
        obj = json.loads(v)
        if not isinstance(obj, dict) or len(pairs) != 1:  # one object, no nested ones
            return False
        keys = [k for k, _ in pairs[0]]
        return len(keys) == len(set(keys)) and all(
            not isinstance(x, (list, dict)) for x in obj.values())

    # -- rule evaluation --
    def applicable(self, rule):
        return all(c in self.caps for c in rule["ApplicabilityCriteria"])

    def row_pass(self, rid, row):
        """Whether row satisfies rule rid (for CheckModelRule inside OR composites)."""
        vc = self.rules[rid]["ValidationCriteria"]
        if self.row_check(vc.get("Condition") or {}, row) is not True:
            return True
        return self.row_check(vc["Requirement"], row)

    def evaluate(self, rid, context):
        if rid in self.results:
            return
        rule = self.rules[rid]
        vc = rule["ValidationCriteria"]
        kw = vc["Keyword"]
        req = vc.get("Requirement") or {}
        if not self.applicable(rule):
            return self.skip_tree(rid, "not applicable")
        if rule["Type"] == "Dynamic":
            self.results[rid] = ("dynamic", kw, [])
            return
        if kw in ("MAY", "OPTIONAL"):
            return self.skip_tree(rid, "optional")
        ref = rule["Reference"]
        if (rule["EntityType"] == "Column" and ref not in self.columns
                and rule["Function"] != "Presence"):
            return self.skip_tree(rid, "column absent")
        ctx = context + ([vc["Condition"]] if vc.get("Condition") else [])
        f = req.get("CheckFunction")
        if rule["Function"] == "Composite" and f == "AND" and all(
                i.get("CheckFunction") == "CheckModelRule" for i in req["Items"]):
            self.results[rid] = ("composite", kw, [])
            for i in req["Items"]:
                self.evaluate(i["ModelRuleId"], ctx)
            return
        rows = [(n, r) for n, r in enumerate(self.rows, start=2)
                if all(self.row_check(c, r) is True for c in ctx)]
        if f == "ColumnPresent":
            fails = [] if req["ColumnName"] in self.columns else [
                ("-", "column %s is missing" % req["ColumnName"])]
        elif f == "CheckDistinctCount":
            groups = {}
            for n, r in rows:
                groups.setdefault(r.get(req["ColumnAName"]), (n, set()))[1].add(
                    r.get(req["ColumnBName"]))
            fails = []
            for key, (n, vals) in groups.items():
                vals.discard(None)
                if len(vals) != int(req["ExpectedCount"]):
                    fails.append((n, "%s=%r has %d distinct %s: %s" % (
                        req["ColumnAName"], key, len(vals), req["ColumnBName"],
                        ", ".join(sorted(map(str, vals))))))
        else:
            cols = sorted(set(re.findall(r'"Column[AB]?Name": "([^"]+)"|"ResultColumnName": "([^"]+)"',
                                         json.dumps([req] + ctx))) - {("", "")})
            cols = [a or b for a, b in cols]
            fails = [(n, ", ".join("%s=%r" % (c, r.get(c)) for c in cols))
                     for n, r in rows if self.row_check(req, r) is False]
        self.results[rid] = ("checked", kw, fails)
        for i in req.get("Items", []):  # OR of rules: the children were evaluated row by row here
            if i.get("CheckFunction") == "CheckModelRule":
                self.results.setdefault(i["ModelRuleId"], ("composite", kw, []))

    def skip_tree(self, rid, why):
        if rid in self.results:
            return
        self.results[rid] = (why, self.rules[rid]["ValidationCriteria"]["Keyword"], [])
        req = self.rules[rid]["ValidationCriteria"].get("Requirement") or {}
        for i in req.get("Items", []):
            if i.get("CheckFunction") == "CheckModelRule":
                self.skip_tree(i["ModelRuleId"], why)

    def run(self):
        self.evaluate("CostAndUsage-D-000-M", [])
        for rid, rule in self.rules.items():  # static rules outside the tree, on their own
            if rule["Type"] == "Static" and rid not in self.results:
                self.evaluate(rid, [])


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv")
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--capabilities", default=DEFAULT_CAPS,
                    help="comma-separated ApplicabilityCriteria the dataset declares")
    ap.add_argument("--examples", type=int, default=5, help="rows shown per failed rule")
    a = ap.parse_args(argv)
    try:
        with open(a.model, encoding="utf-8") as f:
            model = json.load(f)
        cur_path = os.path.join(os.path.dirname(a.model), "currency_codes.csv")
        with open(cur_path, newline="", encoding="utf-8") as f:
            currencies = {r[1] for r in csv.reader(f) if len(r) > 1}
        caps = [c for c in a.capabilities.split(",") if c]
        unknown = [c for c in caps if c not in model["ApplicabilityCriteria"]]
        if unknown:
            raise ValueError("unknown capability %s" % ", ".join(unknown))
        ck = Checker(model, caps, currencies)
        ck.load(a.csv)
        ck.run()
    except (OSError, ValueError, KeyError) as e:
        print("focus_check: %s" % e, file=sys.stderr)
        return 2
    failed = {"MUST": [], "SHOULD": []}
    counts = {}
    for rid, (status, kw, fails) in sorted(ck.results.items()):
        counts[status] = counts.get(status, 0) + 1
        if fails:
            failed["MUST" if kw in MUST else "SHOULD"].append((rid, kw, fails))
    print("%s: %d rows, %d columns; rules checked %d, composite %d, dynamic (not checkable) %d, "
          "not applicable %d, optional %d, column absent %d" % (
              a.csv, len(ck.rows), len(ck.header), counts.get("checked", 0),
              counts.get("composite", 0), counts.get("dynamic", 0),
              counts.get("not applicable", 0), counts.get("optional", 0),
              counts.get("column absent", 0)))
    for cls in ("MUST", "SHOULD"):
        print("%s failures: %d" % (cls, len(failed[cls])))
        for rid, kw, fails in failed[cls]:
            print("  %s (%s, %d rows): %s" % (rid, kw, len(fails),
                                              ck.rules[rid]["ValidationCriteria"]["MustSatisfy"]))
            for n, what in fails[:a.examples]:
                print("    line %s: %s" % (n, what))
    print("failed MUST: %s" % " ".join(r for r, _, _ in failed["MUST"]))
    print("failed SHOULD: %s" % " ".join(r for r, _, _ in failed["SHOULD"]))
    return 1 if failed["MUST"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
