#!/usr/bin/env bash
# The README's "Tour of the command line" runs as written: every command of the section's code
# blocks is run, in order, from a scratch folder laid out like the repository root after the
# README's first command (build/chargeback, sample-data/, templates/), with HOME and the output
# folder in the scratch folder and a stand-in sendmail on PATH. A command must exit 0 unless its
# comment says "exit status N", which it must then exit with. The user documentation (README.md,
# docs/, man/) must be self-contained: no file of it points outside the repository (../shared),
# every docs/*.md is linked from docs/README.md, and the man page renders without warnings.
set -u
bin=$1 work=$3
src=${CB_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
rm -rf "$work" && mkdir -p "$work"
# The scratch root and HOME live outside any git work tree (the build folder is inside one,
# where keygen refuses to write a secret key, as the tour says).
scratch=$(mktemp -d "${TMPDIR:-/tmp}/cb-readme-tour.XXXXXX") || exit 1
trap 'chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
mkdir -p "$scratch/root/build" "$scratch/home" "$scratch/path"
fail=0 ran=0
bad() { echo "FAIL: $*"; fail=$((fail+1)); }

# The commands: lines of ```sh blocks between "## Tour of the command line" and the next "## ".
awk '/^## /{tour = ($0 == "## Tour of the command line")} tour && /^```/{inblk = !inblk; next}
     tour && inblk && NF' "$src/README.md" >"$work/commands"
n=$(wc -l <"$work/commands")
[ "$n" -ge 10 ] || bad "found $n tour commands in README.md (expected the whole tour)"

ln -s "$bin" "$scratch/root/build/chargeback"
ln -s "$src/sample-data" "$scratch/root/sample-data"
ln -s "$src/templates" "$scratch/root/templates"
# `mail --send` hands each message to `sendmail -t -i`: keep them instead of sending
cat >"$scratch/path/sendmail" <<SH
#!/bin/sh
cat >>"$work/sent.eml"
SH
chmod +x "$scratch/path/sendmail"

i=0
while IFS= read -r cmd; do
  i=$((i+1))
  want=0
  if [[ $cmd =~ exit\ status\ ([0-9]+) ]]; then want=${BASH_REMATCH[1]}; fi
  ( cd "$scratch/root" && HOME=$scratch/home PATH=$scratch/path:$PATH bash -c "$cmd" ) \
      >"$work/$i.out" 2>"$work/$i.err" </dev/null
  st=$?
  ran=$((ran+1))
  if [ "$st" -ne "$want" ]; then
    bad "tour command $i exited $st, expected $want: $cmd"
    sed 's/^/    /' "$work/$i.err" | head -20
  fi
done <"$work/commands"

# What the tour says it makes is there.
root=$scratch/root
for f in out/2026-10/report.json out/2026-10/SIGNOFF.json out/2026-10/SIGNOFF.sig \
         out/2026-10-shadow/report.json home/.config/chargeback/finance.key.pub; do
  case $f in home/*) p=$scratch/$f ;; *) p=$root/$f ;; esac
  [ -s "$p" ] || bad "the tour did not make $f"
done
ls "$root"/out/2026-10-mail/*.eml >/dev/null 2>&1 || bad "the tour wrote no out/2026-10-mail/*.eml"
grep -q '^To: ' "$work/sent.eml" 2>/dev/null || bad "mail --send handed nothing to sendmail"
# the template command prints the data team's invoice
tpl=$(grep -n 'chargeback template ' "$work/commands" | head -1 | cut -d: -f1)
if [ -z "$tpl" ]; then bad "the tour has no template command"
elif ! grep -q 'ACME-2026-10-DATA' "$work/$tpl.out" || ! grep -q '</html>' "$work/$tpl.out"; then
  bad "the template command did not print the data team's invoice"
fi

# The documentation stays inside the repository.
hits=$(cd "$src" && grep -rln -- '\.\./shared' README.md docs man 2>/dev/null)
[ -z "$hits" ] || bad "these files point outside the repository (../shared): $hits"
[ -f "$src/docs/README.md" ] || bad "there is no docs/README.md (the index of the documentation)"
for f in "$src"/docs/*.md; do
  b=$(basename "$f")
  [ "$b" = README.md ] && continue
  grep -qs "($b)" "$src/docs/README.md" || bad "docs/README.md does not link $b"
  grep -q "docs/$b" "$src/README.md" || bad "README.md does not link docs/$b"
done
# Relative links of the docs name files that exist.
for f in "$src"/README.md "$src"/docs/*.md; do
  d=$(dirname "$f")
  while IFS= read -r l; do
    [ -e "$d/$l" ] || bad "$(basename "$f") links $l, which does not exist"
  done < <(grep -o '](\([^)#: ]*\))' "$f" | sed 's/^](//;s/)$//' | sort -u)
done
# Every key and every choice the configuration reader accepts is in docs/configuration.md.
keys=$(python3 - "$src/src/config.c" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
# the key lists (keys[], ak[], rk[]) and the choices (papers[], scopes[], *_NAMES[]) of the reader
for body in re.findall(r"(?:keys|ak|rk|papers|scopes|[A-Z_]+NAMES)\[\]\s*=\s*\{(.*?)\}", text, re.S):
    for k in re.findall(r'"([A-Za-z0-9_]+)"', body):
        print(k)
PY
)
[ "$(wc -w <<<"$keys")" -ge 40 ] || bad "found only $(wc -w <<<"$keys") configuration keys in src/config.c"
while IFS= read -r k; do
  grep -q "[\`\".]${k}[\`\"]" "$src/docs/configuration.md" ||
    bad "docs/configuration.md does not document the configuration key or value $k"
done < <(sort -u <<<"$keys")

if command -v man >/dev/null; then
  warn=$(MANWIDTH=80 man --warnings -l "$src/man/chargeback.1" 2>&1 >/dev/null)
  [ -z "$warn" ] || bad "man --warnings: $warn"
  grep -q 'docs/' "$src/man/chargeback.1" || bad "the man page does not point to docs/"
  # every command `chargeback --help` lists, and every option (long and short) that it and each
  # `chargeback CMD --help` print, is in the man page (groff writes a dash as \-)
  # shellcheck disable=SC2001
  esc() { sed 's/-/\\\\-/g' <<<"$1"; }
  man_has() { grep -q -- "$(esc "$1")" "$src/man/chargeback.1"; }
  cmds=$("$bin" --help | awk '/^commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{exit}')
  [ -n "$cmds" ] || bad "chargeback --help lists no commands"
  for cmd in $cmds; do
    grep -q "^\.B chargeback $(esc "$cmd")\b" "$src/man/chargeback.1" ||
      bad "the man page's synopsis lacks the $cmd command"
    grep -q "^\.B $(esc "$cmd")\$" "$src/man/chargeback.1" ||
      bad "the man page's COMMANDS section lacks $cmd"
  done
  for cmd in "" $cmds; do
    # shellcheck disable=SC2086
    for opt in $("$bin" $cmd --help | grep -oE -- '(^|[ ,\[])--?[a-zA-Z][a-z-]*' | grep -oE -- '--?[a-zA-Z][a-z-]*' | sort -u); do
      man_has "$opt" || bad "the man page lacks $opt (of chargeback ${cmd:-}--help)"
    done
  done
else
  echo "man not installed: man page rendering not checked"
fi

echo "readme tour: $ran commands run, $fail failures"
[ "$ran" -gt 0 ] && [ "$fail" -eq 0 ]
