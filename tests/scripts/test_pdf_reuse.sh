#!/usr/bin/env bash
# PDFs share what is the same in every document (issue 19): the DejaVu font files are read once
# per run, not once per document (the sample month has six PDFs), and every PDF still passes
# qpdf --check with its streams (the deflated-once ToUnicode maps and ICC profile, the fonts cut
# per document) decoding. Needs strace (and qpdf for the check); exits 77 when strace is missing.
set -u
bin=$1
scratch=$3
src=${CB_SOURCE_DIR:?}
rm -rf "$scratch"
mkdir -p "$scratch"
command -v strace >/dev/null 2>&1 || { echo "SKIP: strace is not installed"; exit 77; }
fail=0
# LeakSanitizer cannot run under ptrace: in the sanitizer build the traced run checks no leaks
# (the other tests of that stage do)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=openat -o "$scratch/trace" \
  "$bin" render --quiet --formats pdf --config "$src/sample-data/config.json" \
  --out "$scratch/out" "$src/sample-data/usage-2026-10.jsonl" || { echo "FAIL: render"; exit 1; }
docs=$(find "$scratch/out" -name '*.pdf' | wc -l)
[ "$docs" -ge 4 ] || { echo "FAIL: only $docs PDFs"; fail=1; }
for font in DejaVuSans.ttf DejaVuSans-Bold.ttf; do
  # once for the cover and glyphs, once for libharu's glyph table: never per document
  n=$(grep -c "/$font\"" "$scratch/trace")
  if [ "$n" -lt 1 ] || [ "$n" -gt 2 ]; then
    echo "FAIL: $font opened $n times for $docs PDFs (want 1-2, once per run)"
    fail=1
  fi
done
if command -v qpdf >/dev/null 2>&1; then
  while IFS= read -r pdf; do
    qpdf --check "$pdf" >"$scratch/qpdf.txt" 2>&1 || { echo "FAIL: qpdf --check $pdf"; cat "$scratch/qpdf.txt"; fail=1; }
    # every stream decodes (qpdf --check only parses them)
    qpdf --qdf --object-streams=disable "$pdf" "$scratch/q.pdf" >/dev/null 2>&1 ||
      { echo "FAIL: qpdf cannot decode the streams of $pdf"; fail=1; }
  done < <(find "$scratch/out" -name '*.pdf' | sort)
else
  echo "note: qpdf not installed, streams not checked"
fi
[ "$fail" = 0 ] && echo "ok: $docs PDFs, each font file read once per run"
exit "$fail"
