# Shared by the script tests (sourced, never run): a test is called as
# test_x.sh CHARGEBACK GEN-USAGE SCRATCH, and sourcing this sets bin, gen, scratch (emptied) and
# src (the repository).
bin=$1 gen=$2 scratch=$3
src=${CB_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
rm -rf "$scratch" && mkdir -p "$scratch"

# need TOOL...: exits 77 (reported as skipped, never as passed) when a tool is missing.
need() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || { echo "$t missing: skipped"; exit 77; }
  done
}

# render_to OUT INPUT [OPTION...]: renders INPUT into OUT quietly; on failure prints the first
# lines of its error (kept in OUT.err) and returns 1.
render_to() {
  local out=$1 input=$2
  shift 2
  "$bin" render --quiet "$@" --out "$out" "$input" >/dev/null 2>"$out.err" ||
    { echo "render $input failed: $(head -n 3 "$out.err")"; return 1; }
}
