#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, builds with -Werror and runs
# ctest, then builds with AddressSanitizer + UndefinedBehaviorSanitizer and runs it again, then
# runs the unit tests and golden cases under valgrind memcheck, then runs each fuzz target for a
# short bounded time. Non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
jobs=$(nproc)

echo "== formatting (clang-format, .clang-format) =="
mapfile -t sources < <(git ls-files 'src/*.[ch]' 'tests/unit/*.[ch]' 'tests/fuzz/*.c' 'tools/*.c')
clang-format --dry-run --Werror "${sources[@]}"

echo "== release build (-Werror) =="
cmake -S . -B build-ci -DCB_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-ci -j"$jobs"
ctest --test-dir build-ci --output-on-failure -j"$jobs"

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
