#!/usr/bin/env bash
# PDFs through the real binary: a month with Latin, Cyrillic and Greek team names rendered twice
# (billing and shadow). Checks every PDF with qpdf --check, pdffonts (every font embedded) and
# pdftotext (the names come back as text, without warnings), and that two renders are
# byte-identical; then the month of tests/cases/pdf_scripts_month (names in five scripts).
# Tools that are not installed are skipped with a message; so is the whole test while a
# pipeline stage still answers "not built yet".
set -u
bin=$1
scratch=$3
rm -rf "$scratch"
mkdir -p "$scratch"
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
have() { command -v "$1" >/dev/null 2>&1; }

cat >"$scratch/config.json" <<'EOF'
{"organization": "Acme Corp",
 "chargeback": {"model": "usage"},
 "overhead_rate": 0.10,
 "teams": {"data": {"name": "Данные", "cost_center": "CC-1"},
           "omega": {"name": "Ωmega Research", "cost_center": "CC-2"},
           "equipe": {"name": "Équipe données", "cost_center": "CC-3"}}}
EOF
: >"$scratch/usage.jsonl"
models=(claude-opus-4-7 claude-sonnet-4-6 claude-haiku-4-5)
for day in $(seq -w 1 28); do
  for team in data omega equipe; do
    m=${models[$((10#$day % 3))]}
    printf '{"timestamp": "2026-10-%sT10:00:00Z", "model": "%s", "team": "%s", "project": "p-%s", "input_tokens": %d, "output_tokens": %d}\n' \
      "$day" "$m" "$team" "$team" $((100000 * 10#$day)) $((20000 * 10#$day)) >>"$scratch/usage.jsonl"
  done
done

render() { # OUT [extra args]
  local out=$1; shift
  "$bin" render --quiet --config "$scratch/config.json" --month 2026-10 --formats pdf \
    --out "$out" "$@" "$scratch/usage.jsonl" 2>"$out.stderr"
}

render "$scratch/a"; st=$?
if [ $st -ne 0 ] && grep -q "not built yet" "$scratch/a.stderr"; then
  echo "SKIP: the pipeline is not complete yet: $(cat "$scratch/a.stderr")"
  exit 77
fi
[ $st -eq 0 ] || { bad "render exit $st: $(cat "$scratch/a.stderr")"; echo "$pass passed, $fail failed"; exit 1; }
render "$scratch/b" || bad "second render failed"
render "$scratch/s" --shadow || bad "shadow render failed"

pdfs=$(cd "$scratch/a" && find . -name '*.pdf' | sort)
[ "$(echo "$pdfs" | grep -c .)" -eq 4 ] && ok || bad "expected 4 PDFs, got: $pdfs"
for f in $pdfs; do
  head -c 5 "$scratch/a/$f" | grep -q '^%PDF-' && ok || bad "$f does not start with %PDF-"
  cmp -s "$scratch/a/$f" "$scratch/b/$f" && ok || bad "$f differs between two renders"
  size=$(wc -c <"$scratch/a/$f")
  [ "$size" -lt 300000 ] && ok || bad "$f is $size bytes (limit 300000)"
done

for dir in a s; do
  for f in $(cd "$scratch/$dir" && find . -name '*.pdf' | sort); do
    p="$scratch/$dir/$f"
    if have qpdf; then
      qpdf --check "$p" >"$scratch/qpdf.out" 2>&1 && ok || bad "qpdf --check $dir/$f: $(cat "$scratch/qpdf.out")"
    fi
    if have pdffonts; then
      fonts=$(pdffonts "$p" 2>/dev/null | tail -n +3)
      [ -n "$fonts" ] && ok || bad "pdffonts $dir/$f lists no fonts"
      echo "$fonts" | awk '$(NF-4) != "yes" {exit 1}' && ok || bad "$dir/$f has a font that is not embedded: $fonts"
    fi
  done
done

if have pdftotext; then
  summary=$(pdftotext "$scratch/a/summary.pdf" - 2>/dev/null)
  for name in "Данные" "Ωmega Research" "Équipe données"; do
    grep -qF "$name" <<<"$summary" && ok || bad "summary.pdf text lacks $name"
  done
  inv=$(for f in "$scratch/a/teams/"*.pdf; do pdftotext "$f" - 2>/dev/null; done)
  grep -qF "Данные" <<<"$inv" && ok || bad "no invoice text has Данные"
  grep -qF "page 1 of" <<<"$inv" && ok || bad "no page numbers in the invoices"
  shadow=$(pdftotext "$scratch/s/summary.pdf" - 2>/dev/null)
  grep -qF "SHADOW — NOT BILLED" <<<"$shadow" && ok || bad "shadow summary lacks SHADOW — NOT BILLED"
  grep -qF "SHADOW" <<<"$summary" && bad "billing summary says SHADOW" || ok
  # the header's invoice number is read whole, never cut, even a shadow month's long one
  # (the sample month's SHADOW-ACME-2026-10-RESEARCH was cut to "SHADOW-ACME-2026-10-RESEA…")
  "$bin" render --quiet --shadow --formats pdf -c "${CB_SOURCE_DIR:-$(dirname "$0")/../..}/sample-data/config.json" \
    --out "$scratch/sample-shadow" "${CB_SOURCE_DIR:-$(dirname "$0")/../..}/sample-data/usage-2026-10.jsonl" 2>/dev/null ||
    bad "sample shadow render failed"
  for f in "$scratch/s/teams/"*.pdf "$scratch/sample-shadow/teams/"*.pdf; do
    slug=$(basename "$f" .pdf)
    pdftotext -l 1 "$f" - 2>/dev/null | grep -qE "(^|Invoice )SHADOW-[A-Z0-9-]*-${slug^^}$" && ok ||
      bad "$f: the invoice number in the header is cut"
  done
else
  echo "SKIP: pdftotext not installed (poppler-utils)"; skipped=1
fi
# Names in CJK, Hangul, Arabic and Hebrew (tests/cases/pdf_scripts_month): the fallback fonts are
# embedded only in the documents that draw from them, every ToUnicode CMap parses (poppler
# printed "Invalid 'begincidrange' operator in ToUnicode CMap" for every PDF of libharu's), and
# each block of a CMap holds at most 100 entries.
here=$(cd "$(dirname "$0")" && pwd)
case_dir=${CB_SOURCE_DIR:-$here/../..}/tests/cases/pdf_scripts_month
"$bin" render --quiet --config "$case_dir/config.json" --formats pdf --out "$scratch/w" \
  - <"$case_dir/stdin" 2>"$scratch/w.stderr" || bad "scripts month: render failed: $(cat "$scratch/w.stderr")"
if have pdftotext && have pdffonts && have qpdf; then
  for p in "$scratch"/a/*.pdf "$scratch"/a/teams/*.pdf "$scratch"/w/*.pdf "$scratch"/w/teams/*.pdf; do
    pdftotext "$p" /dev/null 2>"$scratch/warn" && [ ! -s "$scratch/warn" ] && ok ||
      bad "pdftotext warns on $p: $(head -n 2 "$scratch/warn")"
    qpdf --qdf --object-streams=disable "$p" "$scratch/qdf.pdf" 2>/dev/null
    LC_ALL=C awk '/^[0-9]+ begin(bfrange|bfchar|cidrange)$/ { if ($1 > 100 || $2 == "begincidrange") bad = 1 }
                  END { exit bad }' "$scratch/qdf.pdf" && ok || bad "$p: a CMap block over 100 entries, or a cidrange"
  done
  fonts_of() { pdffonts "$1" 2>/dev/null | tail -n +3 | awk '{print $1}' | sed 's/^[A-Z]*+//' | sort | tr '\n' ' '; }
  for p in "$scratch"/a/summary.pdf "$scratch"/a/teams/*.pdf; do
    [ "$(fonts_of "$p")" = "DejaVuSans,Book DejaVuSans-Bold,Bold " ] && ok || bad "$p embeds $(fonts_of "$p")"
  done
  [ "$(fonts_of "$scratch/w/teams/kr.pdf")" = "DejaVuSans,Book DejaVuSans-Bold,Bold DroidSansFallback NanumGothic " ] &&
    ok || bad "kr.pdf embeds $(fonts_of "$scratch/w/teams/kr.pdf")"
  [ "$(fonts_of "$scratch/w/teams/ar.pdf")" = "DejaVuSans,Book DejaVuSans-Bold,Bold DroidSansFallback " ] &&
    ok || bad "ar.pdf embeds $(fonts_of "$scratch/w/teams/ar.pdf") (Droid for the organization only)"
  # every font is cut to the glyphs used (issue 19): ~40 KB a document, the fallback fonts a
  # few KB more (libharu's own DejaVu subsets made ~200 KB)
  for p in "$scratch"/w/*.pdf "$scratch"/w/teams/*.pdf; do
    size=$(wc -c <"$p")
    [ "$size" -lt 80000 ] && ok || bad "$p is $size bytes (limit 80000)"
  done
  # composite glyphs (most of Droid Sans Fallback's ideographs) come with their components;
  # W, the CIDToGIDMap and the program's widths agree, and no glyph is embedded unused
  if have python3; then
    python3 "$here/pdf_glyphs.py" "$scratch"/w/*.pdf "$scratch"/w/teams/*.pdf "$scratch"/a/summary.pdf \
      2>/dev/null >"$scratch/glyphs" && ok || bad "embedded fonts: $(head -n 3 "$scratch/glyphs")"
  fi
  text=$(pdftotext "$scratch/w/summary.pdf" - 2>/dev/null)
  for name in 開発チーム 数据平台组 "데이터 분석팀" 田中さくら 王小明 김민준 "فريق المبيعات" "محمد علي" "צוות המחקר" "דנה כהן"; do
    grep -qF "$name" <<<"$text" && ok || bad "summary.pdf of the scripts month lacks $name"
  done
fi
have qpdf || { echo "SKIP: qpdf not installed"; skipped=1; }
have pdffonts || { echo "SKIP: pdffonts not installed (poppler-utils)"; skipped=1; }

echo "$pass passed, $fail failed"
[ $fail -eq 0 ] || exit 1
# a check that could not run is a skip (77), never a pass
[ "${skipped:-0}" -eq 0 ] || exit 77
