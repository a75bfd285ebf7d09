#!/usr/bin/env python3
"""Checks the TrueType fonts embedded in PDFs: every composite glyph that is embedded (has an
outline) must have all its components embedded too, or it draws blank or in parts (libharu
2.3.0 reads component ids as signed 16-bit and misses those above 32767, as in Droid Sans
Fallback's ideographs). And each font is cut to what the document uses (issue 19): every code
in W goes through the CIDToGIDMap to a glyph of the program whose advance width (hmtx) is the
width W gives (PDF/A-1, 6.3.6), and the program holds no glyph besides glyph 0, those the
CIDToGIDMap names and their components (libharu keeps every glyph id, empty). Prints one line
per problem and exits 1 when there is any.

usage: pdf_glyphs.py FILE.pdf...   (needs qpdf)"""
import json
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


def widths(w):
    """The code -> width pairs of a W array (both of its forms)."""
    out, i = {}, 0
    while i < len(w):
        if isinstance(w[i + 1], list):
            for k, width in enumerate(w[i + 1]):
                out[w[i] + k] = width
            i += 2
        else:
            for c in range(w[i], w[i + 1] + 1):
                out[c] = w[i + 2]
            i += 3
    return out


def check_font(name, ttf, w=None, cid_map=None):
    t = tables(ttf)
    long_loca = struct.unpack(">h", t[b"head"][50:52])[0] != 0
    count = struct.unpack(">H", t[b"maxp"][4:6])[0]
    loca = t[b"loca"]
    if long_loca:
        offs = struct.unpack(">%dI" % (count + 1), loca[:4 * (count + 1)])
    else:
        offs = [2 * o for o in struct.unpack(">%dH" % (count + 1), loca[:2 * (count + 1)])]
    glyf = t[b"glyf"]
    problems, composites, used = [], 0, set()
    for g in range(count):
        comps = components(glyf[offs[g]:offs[g + 1]])
        composites += bool(comps)
        used.update(comps)
        for c in comps:
            if c >= count or offs[c + 1] <= offs[c]:
                problems.append("%s: glyph %d uses glyph %d, which is not embedded" % (name, g, c))
    if w is None or cid_map is None:
        return problems, composites
    upem = struct.unpack(">H", t[b"head"][18:20])[0]
    n_metrics = struct.unpack(">H", t[b"hhea"][34:36])[0]
    hmtx = t[b"hmtx"]
    gids = struct.unpack(">%dH" % (len(cid_map) // 2), cid_map[:len(cid_map) // 2 * 2])
    used.update(g for g in gids if g)
    for code, width in sorted(widths(w).items()):
        gid = gids[code] if code < len(gids) else 0
        if gid == 0 or gid >= count:
            problems.append("%s: code %04X has width %d but maps to glyph %d of %d"
                            % (name, code, width, gid, count))
            continue
        advance = struct.unpack(">H", hmtx[4 * min(gid, n_metrics - 1):][:2])[0]
        if advance * 1000 // upem != width:
            problems.append("%s: code %04X (glyph %d) is %d wide in W, %d in hmtx"
                            % (name, code, gid, width, advance * 1000 // upem))
    unused = [g for g in range(1, count) if g not in used]
    if unused:
        problems.append("%s: %d of its %d glyphs are neither drawn nor components (first %d)"
                        % (name, len(unused), count, unused[0]))
    return problems, composites


def main(paths):
    bad = 0
    for path in paths:
        # object numbers as in the file (qpdf --qdf would renumber them)
        dump = subprocess.run(["qpdf", "--json=2", "--json-key=qpdf", path],
                              capture_output=True, check=True).stdout
        objects = json.loads(dump)["qpdf"][1]

        def stream(ref):
            return subprocess.run(["qpdf", "--show-object=%s" % ref.split()[0],
                                   "--filtered-stream-data", path],
                                  capture_output=True, check=True).stdout

        # each font program with the W and CIDToGIDMap of the CIDFontType2 that uses it
        fonts = {}
        for obj in objects.values():
            value = obj.get("value")
            if not isinstance(value, dict) or value.get("/Subtype") != "/CIDFontType2":
                continue
            desc = objects.get("obj:" + value["/FontDescriptor"], {}).get("value", {})
            if "/FontFile2" in desc:
                fonts[desc["/FontFile2"]] = (value.get("/W", []), value.get("/CIDToGIDMap"))
        for num in sorted(set(re.findall(rb'"/FontFile2": "(\d+) 0 R"', dump)), key=int):
            ref = num.decode() + " 0 R"
            data = stream(ref)
            w, map_ref = fonts.get(ref, (None, None))
            cid_map = stream(map_ref) if map_ref else None
            problems, composites = check_font("%s object %s" % (path, num.decode()), data, w,
                                              cid_map)
            for p in problems:
                print(p)
            bad += len(problems)
            print("%s: font object %s: %d embedded composite glyphs checked"
                  % (path, num.decode(), composites), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
