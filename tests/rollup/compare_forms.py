#!/usr/bin/env python3
"""Compares the Spark and BigQuery forms of `chargeback rollup-sql` with the DuckDB form clause by
clause (no engine here runs them): the same CTEs in the same order, each selecting the same
columns, the same number of checks in the validity test, the same GROUP BY and ORDER BY keys, the
same JSON paths read, and no DuckDB-only function. Exit 0 when all agree.

usage: compare_forms.py DUCKDB.sql SPARK.sql BIGQUERY.sql"""
import re
import sys


def top_level_split(text):
    """Splits a CTE body on top-level commas (outside parentheses, brackets, quotes)."""
    parts, depth, cur, quote = [], 0, [], None
    for ch in text:
        if quote:
            cur.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "'`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur))
    return parts


def structure(sql):
    body = "\n".join(l for l in sql.splitlines() if not l.startswith("--"))
    ctes = re.findall(r"^(\w+) AS(?: MATERIALIZED)? \(\n", body, re.M)
    if body.startswith("WITH") or "\nWITH " in body:
        ctes = ["src"] + [c for c in ctes if c != "src"]
    out = {"ctes": ctes}
    for name in ctes:
        m = re.search(r"^(?:WITH )?%s AS(?: MATERIALIZED)? \(\n  SELECT (.*?)\n  FROM " % name,
                      body, re.M | re.S)
        if not m:
            out[name] = None
            continue
        cols = []
        for part in top_level_split(m.group(1)):
            a = re.search(r"\bAS (\w+)\s*$", part.strip())
            cols.append(a.group(1) if a else part.strip().split()[-1])
        out[name] = cols
    ok = re.search(r"checked AS.*?SELECT \*,(.*?) AS ok,", body, re.S)
    out["checks"] = len(re.findall(r"\n    AND ", ok.group(1))) if ok else None
    g = re.search(r"GROUP BY ([^\n]*)", body)
    out["group_by"] = g.group(1) if g else None
    o = re.search(r"ORDER BY date([^\n]*)", body)
    out["order_by"] = o.group(1) if o else None
    out["paths"] = sorted(set(re.findall(r"'\$(\.[\w.]+)?'", body)))
    out["where"] = re.findall(r"\n  WHERE (\w+(?: = 1)?)", body)
    return out


DUCKDB_ONLY = ["json_type", "json_extract_string", "read_json_objects", "strlen(", "TRY_CAST",
               "regexp_matches", "strftime", "MATERIALIZED"]


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    texts = [open(p, encoding="utf-8").read() for p in sys.argv[1:]]
    duck = structure(texts[0])
    bad = 0
    if len(duck["ctes"]) < 6 or duck["checks"] is None or duck["checks"] < 50:
        print("the DuckDB form is not what this test expects: %s" % duck["ctes"])
        return 1
    for name, text in zip(("spark", "bigquery"), texts[1:]):
        other = structure(text)
        for key in duck:
            # `parsed` is each engine's own parse step (DuckDB reads every path in one pass)
            if key != "parsed" and duck[key] != other.get(key):
                print("%s differs from duckdb in %s:\n  duckdb: %s\n  %s: %s" %
                      (name, key, duck[key], name, other.get(key)))
                bad += 1
        for word in DUCKDB_ONLY:
            if word in text:
                print("%s uses the DuckDB-only %s" % (name, word))
                bad += 1
    print("forms compared: %d CTEs (%s), %d checks, %d JSON paths: %s" % (
        len(duck["ctes"]), ", ".join(duck["ctes"]), duck["checks"], len(duck["paths"]),
        "the same" if not bad else "%d differences" % bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
