#!/usr/bin/env python3
"""Compares the invoices of two report.json files to the cent: the month's totals, every team's
total and invoice lines, the unallocated bucket, and the per-model figures. Prints each
difference; exit 0 when there is none, 1 otherwise.

usage: compare_reports.py RAW/report.json ROLLUP/report.json"""
import json
import sys


def team_view(t):
    lines = sorted(json.dumps(l, sort_keys=True) for l in t.get("lines", []))
    keep = {k: t.get(k) for k in ("team", "usage", "list_cost", "shared", "overhead", "markup",
                                  "true_up", "total", "charge", "direct", "by_project",
                                  "by_user", "by_workflow", "by_environment", "by_model", "days")}
    keep["lines"] = lines
    return keep


def view(r):
    return {
        "period": r.get("period"),
        "totals": r.get("totals"),
        "teams": {t["team"]: team_view(t) for t in r.get("teams", [])},
        "unallocated": r.get("unallocated"),
        "by_model": r.get("by_model"),
        "days": r.get("days"),
    }


def diff(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            diff(a.get(k), b.get(k), path + "." + str(k), out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, "%s[%d]" % (path, i), out)
    elif a != b:
        out.append("%s: raw %s, roll-up %s" % (path, json.dumps(a)[:200], json.dumps(b)[:200]))


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    raw, roll = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:])
    out = []
    diff(view(raw), view(roll), "report", out)
    for line in out[:40]:
        print(line)
    if len(out) > 40:
        print("... and %d more differences" % (len(out) - 40))
    teams = len(raw.get("teams", []))
    lines = sum(len(t.get("lines", [])) for t in raw.get("teams", []))
    print("%s: %d teams, %d invoice lines, total %s: %s" % (
        sys.argv[1], teams, lines, (raw.get("totals") or {}).get("summary_total"),
        "same to the cent" if not out else "%d differences" % len(out)))
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main())
