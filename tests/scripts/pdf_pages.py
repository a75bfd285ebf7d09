#!/usr/bin/env python3
"""Page layout checks on PDFs through pdftotext (poppler), one page at a time.

usage: pdf_pages.py [--min-lines N] [--ids FILE] PDF...

Fails (exit 1, one line per problem) when a page of a document of more than one page holds
fewer than N body lines (default 3) besides its footer ("page N of M", chargeback's or the
one Chromium prints), or when an identifier listed in FILE (one a line: cost centres, invoice
numbers, GL accounts) is broken across two lines or cut with an ellipsis.
"""
import re
import subprocess
import sys


def pages(path):
    out = subprocess.run(["pdftotext", "-layout", path, "-"], check=True,
                         capture_output=True).stdout.decode("utf-8", "replace")
    texts = out.split("\f")
    if texts and not texts[-1].strip():
        texts.pop()
    return texts


def body_lines(text):
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    # the footer: the "page N of M" line and the footer text under it
    for i in range(len(lines) - 1, -1, -1):
        if re.search(r"\bpage \d+ of \d+", lines[i], re.IGNORECASE):
            lines = lines[:i]
            break
    # the shadow watermark comes back as text on its own line
    return [l for l in lines if "NOT BILLED" not in l or len(l) > 40]


def main(argv):
    min_lines, ids, files = 3, [], []
    i = 0
    while i < len(argv):
        if argv[i] == "--min-lines":
            min_lines = int(argv[i + 1]); i += 2
        elif argv[i] == "--ids":
            with open(argv[i + 1], encoding="utf-8") as f:
                ids = [l.strip() for l in f if l.strip()]
            i += 2
        else:
            files.append(argv[i]); i += 1
    bad = 0
    for path in files:
        texts = pages(path)
        for n, text in enumerate(texts, 1):
            body = body_lines(text)
            if len(texts) > 1 and len(body) < min_lines:
                print(f"{path}: page {n} of {len(texts)} holds {len(body)} body line(s): {body}")
                bad += 1
        if ids:
            raw = subprocess.run(["pdftotext", path, "-"], check=True,
                                 capture_output=True).stdout.decode("utf-8", "replace")
            lines = [l.strip() for l in raw.splitlines() if l.strip()]
            # each line break as "end of a line|start of the next", searched for every way an
            # identifier could be broken
            breaks = "\n".join(a + "\0" + b for a, b in zip(lines, lines[1:]))
            for ident in ids:
                for k in range(1, len(ident)):
                    head, tail = ident[:k], ident[k:]
                    cut = head + "\u2026" in raw
                    split = (head + "\0" + tail) in breaks and any(
                        a.endswith(head) and b.startswith(tail)
                        for a, b in zip(lines, lines[1:]))
                    if cut or split:
                        print(f"{path}: identifier {ident} is {'cut' if cut else 'split'}"
                              f" after {head!r}")
                        bad += 1
                        break
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
