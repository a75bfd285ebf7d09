#!/usr/bin/env bash
# XLSX through the real binary: a small month with a provider true-up, overhead, a budget,
# a shared pool, unallocated usage and team/project names that look like formulas, rendered
# twice in billing mode and once in shadow mode. /usr/bin/python3 with openpyxl reads every
# workbook (tests/scripts/xlsx_check.py): formulas of known shapes only, cached values equal to
# report.json's line amounts and totals, formula-like text stored as strings, the shadow header
# on every sheet, the page setup for printing (landscape, one page wide, print area, repeated
# header row, column widths, currency formats). A generated 20-team month checks the summary
# chart's top 15 + "others" and LibreOffice's recalculation of every summary formula.
# Two renders are byte-identical and every zip entry is dated 1980-01-01.
# Prints the sizes and the time to write the workbooks (median of 3 runs).
# Skips while a pipeline stage still answers "not built yet".
set -u
bin=$1
scratch=$3
here=$(cd "$(dirname "$0")" && pwd)
[ -d "$scratch" ] && chmod -R u+w "$scratch"
rm -rf "$scratch"
mkdir -p "$scratch"
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }

cat >"$scratch/config.json" <<'EOF'
{"organization": "Acme Corp",
 "chargeback": {"model": "usage"},
 "overhead_rate": 0.10,
 "unallocated": "show",
 "provider_invoice": {"2026-10": "900.00"},
 "shared": [{"match": {"project": "platform-rag"}, "split": "proportional"}],
 "invoice": {"issuer": "Finance, Acme Corp"},
 "teams": {"data": {"name": "=HYPERLINK(\"http://x.example\",\"pay\")", "cost_center": "+CC-1",
                    "budget": {"monthly": "400.00", "alert_thresholds": [0.5, 0.8]}},
           "omega": {"name": "Ωmega Research", "cost_center": "CC-2"},
           "support": {"name": "-Support @desk", "cost_center": "CC-3"}}}
EOF
: >"$scratch/usage.jsonl"
models=(claude-opus-4-7 claude-sonnet-4-6 claude-haiku-4-5)
for day in $(seq -w 1 31); do
  for team in data omega support; do
    m=${models[$((10#$day % 3))]}
    printf '{"timestamp": "2026-10-%sT10:00:00Z", "model": "%s", "team": "%s", "project": "=1+%s", "user": "@u-%s", "input_tokens": %d, "output_tokens": %d, "cache_read_input_tokens": %d}\n' \
      "$day" "$m" "$team" "$team" "$team" $((123457 * 10#$day)) $((20011 * 10#$day)) $((5003 * 10#$day)) >>"$scratch/usage.jsonl"
  done
  printf '{"timestamp": "2026-10-%sT11:00:00Z", "model": "claude-sonnet-4-6", "team": "data", "project": "platform-rag", "input_tokens": 77777, "output_tokens": 1234}\n' "$day" >>"$scratch/usage.jsonl"
  printf '{"timestamp": "2026-10-%sT12:00:00Z", "model": "claude-haiku-4-5", "input_tokens": 33333, "output_tokens": 999}\n' "$day" >>"$scratch/usage.jsonl"
done

render() { # OUT [extra args]
  local out=$1; shift
  "$bin" render --quiet --config "$scratch/config.json" --month 2026-10 --formats json,xlsx \
    --out "$out" "$@" "$scratch/usage.jsonl" 2>"$out.stderr"
}

render "$scratch/a"; st=$?
if [ $st -ne 0 ] && grep -q "not built yet" "$scratch/a.stderr"; then
  echo "SKIP: the pipeline is not complete yet: $(cat "$scratch/a.stderr")"
  exit 77
fi
[ $st -eq 0 ] || { bad "render exit $st: $(cat "$scratch/a.stderr")"; echo "$pass passed, $fail failed"; exit 1; }
render "$scratch/b" || bad "second render failed: $(cat "$scratch/b.stderr")"
render "$scratch/s" --shadow || bad "shadow render failed: $(cat "$scratch/s.stderr")"

books=$(cd "$scratch/a" && find . -name '*.xlsx' | sort)
[ "$(echo "$books" | grep -c .)" -eq 4 ] && ok || bad "expected 4 workbooks, got: $books"
for f in $books; do
  cmp -s "$scratch/a/$f" "$scratch/b/$f" && ok || bad "$f differs between two renders"
  dates=$(unzip -Z -T "$scratch/a/$f" 2>/dev/null | awk '/^-/ {print $7}' | sort -u)
  [ "$dates" = "19800101.000000" ] && ok || bad "$f: zip entry times $dates"
done

if /usr/bin/python3 -c 'import openpyxl' 2>/dev/null; then
  for dir in a s; do
    if out=$(/usr/bin/python3 "$here/xlsx_check.py" "$scratch/$dir" 2>&1); then ok
    else bad "openpyxl check of $dir:"; echo "$out" | head -40; fi
  done
else
  echo "SKIP: /usr/bin/python3 has no openpyxl (apt-get install python3-openpyxl)"; skipped=1
fi

# the summary's optional sheets: "Month over month" with --previous (a September without a
# provider total before it), "Revision" on a corrected revision of a signed month; each prints
# at about full size with its own repeated header
if [ -z "${skipped:-}" ]; then
  sed 's/"provider_invoice": {"2026-10": "900.00"},//' "$scratch/config.json" >"$scratch/config-sep.json"
  sed 's/2026-10-/2026-09-/' "$scratch/usage.jsonl" >"$scratch/usage-sep.jsonl"
  if "$bin" render --quiet --config "$scratch/config-sep.json" --month 2026-09 --formats json,xlsx \
       --out "$scratch/sep" "$scratch/usage-sep.jsonl" 2>"$scratch/sep.stderr" &&
     render "$scratch/mom" --previous "$scratch/sep"; then
    if out=$(/usr/bin/python3 "$here/xlsx_check.py" "$scratch/mom" 2>&1) &&
       unzip -p "$scratch/mom/summary.xlsx" xl/workbook.xml | grep -q 'name="Month over month"'; then ok
    else bad "openpyxl check of the month with --previous:"; echo "$out" | head -20; fi
  else
    bad "render with --previous failed: $(cat "$scratch/sep.stderr" "$scratch/mom.stderr" 2>/dev/null)"
  fi
  mkdir -p "$scratch/rev" && cp -r "$scratch/a" "$scratch/rev/2026-10"
  if "$bin" sign "$scratch/rev/2026-10" --by "Ann Finance" >/dev/null 2>"$scratch/rev.stderr" &&
     render "$scratch/rev/r2" --supersedes "$scratch/rev/2026-10"; then
    if out=$(/usr/bin/python3 "$here/xlsx_check.py" "$scratch/rev/r2" 2>&1) &&
       unzip -p "$scratch/rev/r2/summary.xlsx" xl/workbook.xml | grep -q 'name="Revision"'; then ok
    else bad "openpyxl check of the corrected revision:"; echo "$out" | head -20; fi
  else
    bad "revision render failed: $(cat "$scratch/rev.stderr" "$scratch/rev/r2.stderr" 2>/dev/null)"
  fi
fi

# a generated month of 20 teams: the summary chart is the top 15 and one "others" formula row;
# LibreOffice recalculates every formula of its summary to the cached value
gen=$2
if "$gen" --teams 20 --records 6000 --users 80 --projects 30 >"$scratch/m20.jsonl" 2>"$scratch/gen.stderr"; then
  "$bin" render --quiet --config "$scratch/config.json" --month 2026-10 --formats json,xlsx \
    --out "$scratch/m20" "$scratch/m20.jsonl" 2>"$scratch/m20.stderr" \
    || bad "20-team render failed: $(cat "$scratch/m20.stderr")"
  if [ -z "${skipped:-}" ] && [ -f "$scratch/m20/summary.xlsx" ]; then
    if out=$(/usr/bin/python3 "$here/xlsx_check.py" "$scratch/m20" 2>&1); then ok
    else bad "openpyxl check of the 20-team month:"; echo "$out" | head -20; fi
    if command -v soffice >/dev/null 2>&1; then
      prof=$scratch/lo-profile/user
      mkdir -p "$prof"
      cat >"$prof/registrymodifications.xcu" <<'XCU'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
XCU
      soffice -env:UserInstallation=file://"$scratch/lo-profile" --headless --convert-to xlsx \
        --outdir "$scratch/m20/lo" "$scratch/m20/summary.xlsx" >/dev/null 2>&1
      if out=$(/usr/bin/python3 "$here/xlsx_recalc.py" "$scratch/m20/summary.xlsx" \
                 "$scratch/m20/lo/summary.xlsx" 2>&1); then ok; echo "20 teams: $out"
      else bad "LibreOffice recalculation of the 20-team summary:"; echo "$out" | head -20; fi
    else
      echo "SKIP: no soffice: the 20-team summary is not recalculated"; skipped=1
    fi
  fi
else
  bad "gen-usage failed: $(cat "$scratch/gen.stderr")"
fi

# sizes and the time to write the workbooks alone (median of 3)
times=()
for k in 1 2 3; do
  rm -rf "$scratch/t" "$scratch/t.stderr"
  t0=$(date +%s%N)
  "$bin" render --quiet --config "$scratch/config.json" --month 2026-10 --formats xlsx \
    --out "$scratch/t" "$scratch/usage.jsonl" 2>"$scratch/t.stderr" || bad "timed render failed"
  t1=$(date +%s%N)
  times+=($(( (t1 - t0) / 1000000 )))
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
echo "xlsx: $(for f in $books; do printf '%s %s bytes; ' "$f" "$(wc -c <"$scratch/a/$f")"; done)render --formats xlsx ${median} ms (median of 3)"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ] || exit 1
# a check that could not run is a skip (77), never a pass
[ "${skipped:-0}" -eq 0 ] || exit 77
