#!/usr/bin/env bash
# Runs the unit tests and the golden end-to-end cases under valgrind memcheck: any invalid read
# or write, use of uninitialized memory, or definite/indirect leak fails the run.
# usage: tests/valgrind.sh BUILD_DIR      (a normal, non-sanitizer build)
# A case folder holding a file named "slow" is left out.
set -u
build=$1
here=$(cd "$(dirname "$0")" && pwd)
vg=(valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --track-origins=yes)
export CHARGEBACK_DATA_DIR="$here/.."
export CB_SOURCE_DIR="$here/.."
pass=0 fail=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in "$build"/tests/test_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  if "${vg[@]}" "$t" >"$work/$name.log" 2>&1; then
    pass=$((pass+1))
  else
    echo "FAIL (valgrind): $name"; tail -n 40 "$work/$name.log"; fail=$((fail+1))
  fi
done
# The golden cases run the real binary through a wrapper; exit 99 from valgrind is a finding.
cat >"$work/chargeback" <<WRAP
#!/usr/bin/env bash
exec ${vg[*]} "$build/chargeback" "\$@"
WRAP
chmod +x "$work/chargeback"
for dir in "$here"/cases/*/; do
  [ -f "$dir/args" ] || continue
  [ -f "$dir/slow" ] && continue # a case too big for memcheck; it still runs in ctest
  name=$(basename "$dir")
  if bash "$here/run_case.sh" "$work/chargeback" "$dir" "$work/case-$name" >"$work/$name.log" 2>&1 &&
     ! grep -q "exit status: expected .*, got 99" "$work/$name.log"; then
    pass=$((pass+1))
  else
    echo "FAIL (valgrind): case $name"; tail -n 40 "$work/$name.log"; fail=$((fail+1))
  fi
done
echo "valgrind: $pass passed, $fail failed"
[ $fail -eq 0 ]
