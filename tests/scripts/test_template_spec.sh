#!/usr/bin/env bash
# The Mustache spec suite through the binary, as its README says: for every case, the template,
# the data and each partial (DIR/NAME.mustache) are written to files, and
# `chargeback template TEMPLATE DATA.json --partials DIR` must print `expected` byte for byte.
# Reads ../shared/conformance/mustache when present, else the copy vendored under tests/.
set -u
bin=$1 work=$3
src=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
suite=$src/../shared/conformance/mustache
[ -d "$suite" ] || suite=$src/tests/conformance/mustache
rm -rf "$work" && mkdir -p "$work"
# One folder per case: template.mustache, data.json, partials/, expected.
python3 - "$suite" "$work" <<'PY' || { echo "cannot expand the suite"; exit 1; }
import json, os, sys, glob
suite, work = sys.argv[1], sys.argv[2]
n = 0
for f in sorted(glob.glob(os.path.join(suite, "*.json"))):
    for t in json.load(open(f, encoding="utf-8"))["tests"]:
        d = os.path.join(work, "%03d" % n); n += 1
        os.makedirs(os.path.join(d, "partials"))
        name = os.path.basename(f)[:-5] + ": " + t["name"]
        for fn, text in [("name", name), ("template.mustache", t["template"]),
                         ("expected", t["expected"]), ("data.json", json.dumps(t["data"]))]:
            open(os.path.join(d, fn), "w", encoding="utf-8", newline="").write(text)
        for p, text in t.get("partials", {}).items():
            open(os.path.join(d, "partials", p + ".mustache"), "w", encoding="utf-8",
                 newline="").write(text)
PY
pass=0 fail=0
for d in "$work"/[0-9]*; do
  if "$bin" template "$d/template.mustache" "$d/data.json" --partials "$d/partials" \
       >"$d/actual" 2>"$d/stderr" && cmp -s "$d/expected" "$d/actual"; then
    pass=$((pass+1))
  else
    fail=$((fail+1))
    echo "FAIL: $(cat "$d/name")"
    echo "  expected: $(od -c "$d/expected" | head -5)"
    echo "  actual:   $(od -c "$d/actual" | head -5) $(cat "$d/stderr")"
  fi
done
[ $pass -gt 0 ] || { echo "no cases found in $suite"; fail=1; }
echo "template: $pass passed, $fail failed"
[ $fail -eq 0 ]
