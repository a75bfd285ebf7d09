#!/usr/bin/env bash
# render replaces only what it made (SPEC §6, issue 17 point 1): an empty folder or an earlier
# unsigned render. An unrelated folder, a signed month, a folder that contains or lies inside
# one, a folder holding an input, a folder with files the tool did not write: refused with exit 2
# before any input is read, naming what is in the way, and left byte for byte as it was.
# Usage: test_outdir.sh CHARGEBACK GEN-USAGE SCRATCH
set -u
bin=$1 scratch=$3
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL: $*"; fail=$((fail+1)); }
snapshot() { (cd "$1" && find . -exec stat -c '%n %s' {} + | LC_ALL=C sort && find . -type f -exec sha256sum {} + | LC_ALL=C sort); }
# refused DESCRIPTION WANT-TEXT FOLDER-THAT-MUST-SURVIVE -- render arguments...
refused() {
  local what=$1 want=$2 keep=$3; shift 4
  local before; before=$(snapshot "$keep")
  "$bin" render --quiet --month 2026-10 "$@" >/dev/null 2>"$scratch/stderr"; local st=$?
  [ $st -eq 2 ] && ok || { bad "$what: exit $st, want 2"; cat "$scratch/stderr"; }
  grep -qF -- "$want" "$scratch/stderr" && ok || { bad "$what: stderr lacks \"$want\""; cat "$scratch/stderr"; }
  [ "$(snapshot "$keep")" = "$before" ] && ok || bad "$what: $keep changed"
}

[ -d "$scratch" ] && chmod -R u+w "$scratch" && rm -rf "$scratch"
mkdir -p "$scratch"
cd "$scratch" || exit 1
cat >usage.jsonl <<'EOF'
{"request_id":"r1","timestamp":"2026-10-01T09:00:00Z","model":"claude-sonnet-4-6","input_tokens":1200,"output_tokens":300,"team":"data"}
{"request_id":"r2","timestamp":"2026-10-02T10:00:00Z","model":"claude-haiku-4-5","input_tokens":800,"output_tokens":90,"team":"web"}
EOF
F=(--formats json,csv,html)

# An unrelated folder: a thesis and a git repository.
mkdir -p thesis/.git/objects && echo 'chapter 1' >thesis/thesis.tex && echo 'ref: main' >thesis/.git/HEAD
refused "unrelated folder" "holds \".git\", \"thesis.tex\", which chargeback did not write" thesis -- "${F[@]}" --out thesis usage.jsonl
refused "unrelated folder, input read later" "thesis" thesis -- "${F[@]}" --out thesis missing.jsonl

# A signed month and the folders around it.
"$bin" render --quiet "${F[@]}" --out arch/2026-10 usage.jsonl >/dev/null 2>&1 || bad "first render failed"
"$bin" sign arch/2026-10 --by "Dana" >/dev/null 2>&1 || bad "sign failed"
chmod -R u+w arch # the test itself may look; render must not write
refused "signed month" "signed" arch -- "${F[@]}" --out arch/2026-10 usage.jsonl
refused "parent of a signed month" "contains the signed month" arch -- "${F[@]}" --out arch usage.jsonl
refused "teams/ inside a signed month" "lies inside the signed month" arch -- "${F[@]}" --out arch/2026-10/teams usage.jsonl
refused "new folder inside a signed month" "lies inside the signed month" arch -- "${F[@]}" --out arch/2026-10/extra usage.jsonl
[ ! -e arch/2026-10/extra ] && ok || bad "arch/2026-10/extra was created"
refused "--supersedes DIR --out its parent" "contains the signed month arch/2026-10" arch -- "${F[@]}" --supersedes arch/2026-10 --out arch usage.jsonl
# a corrected revision beside it is still allowed
"$bin" render --quiet "${F[@]}" --supersedes arch/2026-10 usage.jsonl >/dev/null 2>"$scratch/stderr" && ok ||
  { bad "--supersedes beside the signed month failed"; cat "$scratch/stderr"; }
[ -f arch/2026-10-r2/report.json ] && ok || bad "no arch/2026-10-r2"

# The folder holding the inputs (also via ./, .., and the default out/YYYY-MM).
mkdir -p logs && cp usage.jsonl logs/day1.jsonl
refused "folder holding an input" "holds the input logs/day1.jsonl" logs -- "${F[@]}" --out logs logs/day1.jsonl
refused "folder holding an input, other spelling" "holds the input" logs -- "${F[@]}" --out ./logs/../logs/ logs/day1.jsonl
mkdir -p out/2026-10 && cp usage.jsonl out/2026-10/in.jsonl
refused "default out/YYYY-MM holding an input" "holds the input" out -- "${F[@]}" out/2026-10/in.jsonl
echo '{"organization":"Acme"}' >logs/config.json
refused "folder holding the configuration" "holds the input logs/config.json" logs -- "${F[@]}" --config logs/config.json --out logs usage.jsonl

# What render may replace: an empty folder, its own earlier unsigned render.
mkdir -p empty
"$bin" render --quiet "${F[@]}" --out empty usage.jsonl >/dev/null 2>&1 && ok || bad "render into an empty folder failed"
[ -f empty/report.json ] && ok || bad "empty/: no report.json"
"$bin" render --quiet "${F[@]}" --out empty usage.jsonl >/dev/null 2>&1 && ok || bad "render over its own render failed"
"$bin" render --quiet --formats json,csv,html,pdf,xlsx,focus --out empty usage.jsonl >/dev/null 2>&1 && ok ||
  bad "render with every format over its own render failed"
"$bin" render --quiet "${F[@]}" --out empty usage.jsonl >/dev/null 2>&1 && ok || bad "render over an all-formats render failed"
# ...but not once someone put a file of their own into it
echo 'my notes' >empty/notes.txt
refused "earlier render plus a stray file" "empty/notes.txt, which chargeback did not write" empty -- "${F[@]}" --out empty usage.jsonl
rm empty/notes.txt && echo 'x' >empty/teams/other.html
refused "earlier render plus a stray team file" "other.html" empty -- "${F[@]}" --out empty usage.jsonl
rm empty/teams/other.html
# a render without the json format: recognised by its rejected.jsonl and its file list
mkdir -p nojson
"$bin" render --quiet --formats html,csv --out nojson usage.jsonl >/dev/null 2>&1 && ok || bad "html,csv render failed"
"$bin" render --quiet --formats html,csv --out nojson usage.jsonl >/dev/null 2>"$scratch/stderr" && ok ||
  { bad "render over its own html,csv render failed"; cat "$scratch/stderr"; }
echo 'draft' >nojson/draft.docx
refused "render without json plus a stray file" "nojson/draft.docx, which chargeback did not write" nojson -- "${F[@]}" --out nojson usage.jsonl
mkdir -p lookalike && : >lookalike/rejected.jsonl && echo x >lookalike/index.html && echo y >lookalike/notes.md
refused "rejected.jsonl beside a file of the user's" "lookalike/notes.md" lookalike -- "${F[@]}" --out lookalike usage.jsonl
# a folder with a report.json that is not ours
mkdir -p fake && echo '{"schema":"something-else"}' >fake/report.json
refused "foreign report.json" "not a chargeback render" fake -- "${F[@]}" --out fake usage.jsonl
# a file, and a symbolic link to a folder
echo x >afile
refused "a file" "not a folder" "$scratch/logs" -- "${F[@]}" --out afile usage.jsonl
ln -s thesis link
refused "a link to a folder" "not a folder" thesis -- "${F[@]}" --out link usage.jsonl

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
