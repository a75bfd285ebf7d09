# Shared by the script tests (sourced, never run): a test is called as
# test_x.sh CHARGEBACK GEN-USAGE SCRATCH, and sourcing this sets bin, gen, scratch (emptied) and
# src (the repository).
bin=$1 gen=$2 scratch=$3
src=${CB_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# a signed month left by an earlier run is read-only
[ -d "$scratch" ] && chmod -R u+w "$scratch"
rm -rf "$scratch" && mkdir -p "$scratch"

# need TOOL...: exits 77 (reported as skipped, never as passed) when a tool is missing.
need() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || { echo "$t missing: skipped"; exit 77; }
  done
}

# legacy_team FILE: one record of a team "legacy" in the sample's month (2,000,000 Sonnet 4.6
# input tokens, 100,000 output), for a signed month with a team its corrected revision no
# longer invoices.
legacy_team() {
  cat >"$1" <<'EOF'
{"request_id":"req_legacy_001","timestamp":"2026-10-20T10:00:00Z","model":"claude-sonnet-4-6","team":"legacy","project":"old","user":"x.y","input_tokens":2000000,"output_tokens":100000}
EOF
}

# render_to OUT INPUT [OPTION...]: renders INPUT into OUT quietly; on failure prints the first
# lines of its error (kept in OUT.err) and returns 1.
render_to() {
  local out=$1 input=$2
  shift 2
  "$bin" render --quiet "$@" --out "$out" "$input" >/dev/null 2>"$out.err" ||
    { echo "render $input failed: $(head -n 3 "$out.err")"; return 1; }
}
