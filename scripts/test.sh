#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds sagetrail and runs every test: formatting, unit tests and
# end-to-end tests against the real binary, then the same suite under ASan/UBSan.
# Usage: scripts/test.sh [--no-sanitizers]
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=$(nproc)
SANITIZE=1
[ "${1:-}" = "--no-sanitizers" ] && SANITIZE=0

bash scripts/setup.sh

echo "== clang-format"
files=$(git ls-files '*.cc' '*.h' 2>/dev/null || find src tests bench -name '*.cc' -o -name '*.h')
clang-format --dry-run -Werror $files

echo "== build (RelWithDebInfo)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSAGETRAIL_BUILD_TESTS=ON \
  -DSAGETRAIL_BUILD_BENCH=ON >/dev/null
ninja -C build
echo "== tests"
ctest --test-dir build --output-on-failure -j "$JOBS" --timeout 900

if [ "$SANITIZE" = 1 ]; then
  echo "== build (ASan/UBSan)"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSAGETRAIL_SANITIZE=ON \
    -DSAGETRAIL_BUILD_BENCH=OFF >/dev/null
  ninja -C build-asan
  echo "== tests under ASan/UBSan"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$JOBS" --timeout 900
fi
echo "== all tests passed"
