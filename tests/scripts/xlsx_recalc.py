#!/usr/bin/python3
"""Compares the cached value of every formula cell of a workbook we wrote with the value a
spreadsheet engine computed for it (the same workbook after LibreOffice loaded it with "always
recalculate" and saved it again).

usage: xlsx_recalc.py OURS.xlsx RECALCULATED.xlsx

Prints each difference and "xlsx_recalc: N formulas agree" at the end; exits 1 on a difference.
"""
import sys

import openpyxl


def main():
    ours_f = openpyxl.load_workbook(sys.argv[1], data_only=False)
    ours_v = openpyxl.load_workbook(sys.argv[1], data_only=True)
    theirs = openpyxl.load_workbook(sys.argv[2], data_only=True)
    n = bad = 0
    for ws in ours_f.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type != "f":
                    continue
                n += 1
                mine = ours_v[ws.title][c.coordinate].value
                calc = theirs[ws.title][c.coordinate].value
                if mine != calc:
                    bad += 1
                    print(f"{sys.argv[1]} [{ws.title}] {c.coordinate} {c.value}: "
                          f"cached {mine!r}, recalculated {calc!r}")
    print(f"xlsx_recalc: {n - bad} of {n} formulas agree")
    return 1 if bad or n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
