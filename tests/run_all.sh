#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, builds with -Werror and runs
# ctest, then builds with AddressSanitizer + UndefinedBehaviorSanitizer and runs it again, then
# runs the unit tests and golden cases under valgrind memcheck, then runs each fuzz target for a
# short bounded time. Non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
jobs=$(nproc)

# A test whose tool is missing is skipped (exit 77), so CI first makes sure every tool is here:
# on a CI machine a skip is a failure, not a pass.
echo "== required tools =="
missing=()
for tool in pdftotext pdfinfo pdffonts qpdf soffice unzip valgrind clang-format chromium; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
/usr/bin/python3 -c 'import openpyxl' 2>/dev/null || missing+=("python3-openpyxl")
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing tools the tests need: ${missing[*]} (tools/install-deps.sh installs them)" >&2
  exit 1
fi

echo "== formatting (clang-format, .clang-format) =="
mapfile -t sources < <(git ls-files 'src/*.[ch]' 'tests/unit/*.[ch]' 'tests/fuzz/*.c' 'tools/*.c')
clang-format --dry-run --Werror "${sources[@]}"

echo "== release build (-Werror) =="
cmake -S . -B build-ci -DCB_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-ci -j"$jobs"
ctest --test-dir build-ci --output-on-failure -j"$jobs" 2>&1 | tee build-ci/ctest.log
if grep -Eq '\((Skipped|Not Run)\)|\*\*\*Skipped' build-ci/ctest.log; then
  echo "tests were skipped: every tool is installed, so none may be" >&2
  grep -E 'Skipped|Not Run' build-ci/ctest.log >&2
  exit 1
fi

echo "== AddressSanitizer + UndefinedBehaviorSanitizer build =="
cmake -S . -B build-asan -DCB_WERROR=ON -DCB_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE slow

echo "== valgrind memcheck (unit tests and golden cases) =="
bash tests/valgrind.sh build-ci

if [ -f tests/fuzz/CMakeLists.txt ]; then
  echo "== fuzzing (short, bounded) =="
  CC=clang cmake -S . -B build-fuzz -DCB_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
  cmake --build build-fuzz -j"$jobs"
  bash tests/fuzz/run.sh build-fuzz "${CB_FUZZ_SECONDS:-60}"
fi
echo "all test stages passed"
