#!/usr/bin/env python3
"""Checks the TrueType fonts embedded in PDFs: every composite glyph that is embedded (has an
outline) must have all its components embedded too, or it draws blank or in parts (libharu
2.3.0 reads component ids as signed 16-bit and misses those above 32767, as in Droid Sans
Fallback's ideographs). Prints one line per problem and exits 1 when there is any.

usage: pdf_glyphs.py FILE.pdf...   (needs qpdf)"""
import re
import struct
import subprocess
import sys


def tables(ttf):
    n = struct.unpack(">H", ttf[4:6])[0]
    out = {}
    for i in range(n):
        tag, _, off, length = struct.unpack(">4sIII", ttf[12 + 16 * i:28 + 16 * i])
        out[tag] = ttf[off:off + length]
    return out


def components(glyph):
    """The component glyph ids of a composite glyph, or [] for a simple or empty one."""
    if len(glyph) < 10 or struct.unpack(">h", glyph[:2])[0] != -1:
        return []
    out, i = [], 10
    while i + 4 <= len(glyph):
        flags, comp = struct.unpack(">HH", glyph[i:i + 4])
        out.append(comp)
        i += 4 + (4 if flags & 1 else 2)
        i += 2 if flags & 8 else 4 if flags & 0x40 else 8 if flags & 0x80 else 0
        if not flags & 0x20:
            break
    return out


def check_font(name, ttf):
    t = tables(ttf)
    long_loca = struct.unpack(">h", t[b"head"][50:52])[0] != 0
    count = struct.unpack(">H", t[b"maxp"][4:6])[0]
    loca = t[b"loca"]
    if long_loca:
        offs = struct.unpack(">%dI" % (count + 1), loca[:4 * (count + 1)])
    else:
        offs = [2 * o for o in struct.unpack(">%dH" % (count + 1), loca[:2 * (count + 1)])]
    glyf = t[b"glyf"]
    problems, composites = [], 0
    for g in range(count):
        comps = components(glyf[offs[g]:offs[g + 1]])
        composites += bool(comps)
        for c in comps:
            if c >= count or offs[c + 1] <= offs[c]:
                problems.append("%s: glyph %d uses glyph %d, which is not embedded" % (name, g, c))
    return problems, composites


def main(paths):
    bad = 0
    for path in paths:
        # object numbers as in the file (qpdf --qdf would renumber them)
        dump = subprocess.run(["qpdf", "--json=2", "--json-key=qpdf", path],
                              capture_output=True, check=True).stdout
        for num in sorted(set(re.findall(rb'"/FontFile2": "(\d+) 0 R"', dump)), key=int):
            data = subprocess.run(["qpdf", "--show-object=%s" % num.decode(),
                                   "--filtered-stream-data", path],
                                  capture_output=True, check=True).stdout
            problems, composites = check_font("%s object %s" % (path, num.decode()), data)
            for p in problems:
                print(p)
            bad += len(problems)
            print("%s: font object %s: %d embedded composite glyphs checked"
                  % (path, num.decode(), composites), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
