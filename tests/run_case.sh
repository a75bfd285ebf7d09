#!/usr/bin/env bash
# Runs one golden case: tests/cases/<name>/ holds
#   args             the command line after "chargeback" (one line; $CASE = this folder,
#                    $OUT = a fresh output folder)
#   stdin            optional: fed to standard input
#   expected_exit    optional: the exit status (default 0)
#   expected_stdout  optional: standard output, byte for byte ($CASE stands for this folder)
#   expected_stderr  optional: lines that must each appear in standard error
#   expected/        optional: files that must exist under $OUT with these contents.
#                    X.pdf.txt compares `pdftotext -layout X.pdf -` (plus the page count in
#                    X.pdf.pages when present); X.xlsx.d/PART compares that XML part of X.xlsx.
#   absent           optional: paths (one a line) that must not exist under $OUT
# Prints expected vs actual on any mismatch and exits 1.
set -u
bin=$1 case_dir=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
OUT=$work/out
CASE=$case_dir
export OUT CASE
args=$(cat "$case_dir/args")
eval "set -- $args"
if [ -f "$case_dir/stdin" ]; then
  "$bin" "$@" <"$case_dir/stdin" >"$work/stdout" 2>"$work/stderr"
else
  "$bin" "$@" </dev/null >"$work/stdout" 2>"$work/stderr"
fi
status=$?
fail=0
want_status=0
[ -f "$case_dir/expected_exit" ] && want_status=$(tr -d ' \n' <"$case_dir/expected_exit")
if [ "$status" != "$want_status" ]; then
  echo "exit status: expected $want_status, got $status"
  echo "--- stderr ---"; head -c 4000 "$work/stderr"
  fail=1
fi
if [ -f "$case_dir/expected_stdout" ]; then
  # "$CASE" in the expected output stands for this folder (paths of inputs)
  want_out=$(cat "$case_dir/expected_stdout"; echo x)
  printf '%s' "${want_out%x}" | awk -v c="$CASE" '{ gsub(/\$CASE/, c); print }' >"$work/expected_stdout"
  if ! diff -u "$work/expected_stdout" "$work/stdout" >"$work/stdout.diff"; then
    echo "stdout differs (expected vs actual):"; head -n 80 "$work/stdout.diff"; fail=1
  fi
fi
if [ -f "$case_dir/expected_stderr" ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    [ -z "$line" ] && continue
    line=${line//\$CASE/$CASE}
    if ! grep -qF -- "$line" "$work/stderr"; then
      echo "stderr lacks: $line"; fail=1
    fi
  done <"$case_dir/expected_stderr"
  [ $fail = 1 ] && { echo "--- actual stderr ---"; head -c 4000 "$work/stderr"; }
fi
if [ -d "$case_dir/expected" ]; then
  while IFS= read -r -d '' want; do
    rel=${want#"$case_dir/expected/"}
    case $rel in
      *.pdf.txt)
        got_pdf=$OUT/${rel%.txt}
        if [ ! -f "$got_pdf" ]; then echo "missing: ${rel%.txt}"; fail=1; continue; fi
        pdftotext -layout "$got_pdf" "$work/actual.txt" 2>/dev/null
        if ! diff -u "$want" "$work/actual.txt" >"$work/diff"; then
          echo "text of ${rel%.txt} differs (expected vs actual):"; head -n 80 "$work/diff"; fail=1
        fi ;;
      *.pdf.pages)
        got_pdf=$OUT/${rel%.pages}
        pages=$(pdfinfo "$got_pdf" 2>/dev/null | awk '/^Pages:/{print $2}')
        if [ "$pages" != "$(tr -d ' \n' <"$want")" ]; then
          echo "pages of ${rel%.pages}: expected $(cat "$want"), got $pages"; fail=1
        fi ;;
      *.xlsx.d/*)
        book=${rel%%.xlsx.d/*}.xlsx part=${rel#*.xlsx.d/}
        if [ ! -f "$OUT/$book" ]; then echo "missing: $book"; fail=1; continue; fi
        if ! unzip -p "$OUT/$book" "$part" >"$work/part" 2>/dev/null; then
          echo "missing part $part in $book"; fail=1; continue
        fi
        if ! diff -u "$want" "$work/part" >"$work/diff"; then
          echo "$book:$part differs (expected vs actual):"; head -n 80 "$work/diff"; fail=1
        fi ;;
      *)
        if [ ! -f "$OUT/$rel" ]; then echo "missing: $rel"; fail=1; continue; fi
        if ! diff -u "$want" "$OUT/$rel" >"$work/diff"; then
          echo "$rel differs (expected vs actual):"; head -n 80 "$work/diff"; fail=1
        fi ;;
    esac
  done < <(find "$case_dir/expected" -type f -print0 | sort -z)
fi
if [ -f "$case_dir/absent" ]; then
  while IFS= read -r p; do
    [ -z "$p" ] && continue
    if [ -e "$OUT/$p" ]; then echo "should not exist: $p"; fail=1; fi
  done <"$case_dir/absent"
fi
exit $fail
