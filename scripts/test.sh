#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds sagetrail and runs every test: formatting, unit tests and
# end-to-end tests against the real binary, then the same suite under ASan/UBSan (clang), then each
# libFuzzer target for $SAGETRAIL_FUZZ_SECONDS seconds (default 20) on its seed corpus.
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
  # The sanitizer build uses clang, so that the same build also gives the libFuzzer targets
  # (fuzz/, docs/security.md): the library is instrumented for them, the tests are not affected.
  if [ -f build-asan/CMakeCache.txt ] && ! grep -q '^CMAKE_CXX_COMPILER:.*clang++-14' \
      build-asan/CMakeCache.txt; then
    rm -rf build-asan  # configured with another compiler before
  fi
  echo "== build (clang, ASan/UBSan, fuzz targets)"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-14 \
    -DSAGETRAIL_SANITIZE=ON -DSAGETRAIL_FUZZ=ON -DSAGETRAIL_BUILD_BENCH=OFF >/dev/null
  ninja -C build-asan
  export ASAN_SYMBOLIZER_PATH="${ASAN_SYMBOLIZER_PATH:-$(command -v llvm-symbolizer-14 || true)}"
  echo "== tests under ASan/UBSan (and every fuzz seed once)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$JOBS" --timeout 900

  # Each target fuzzes a temporary copy of its seed corpus for a bounded time; any crash, leak,
  # undefined behaviour or broken invariant fails the script and leaves the input behind.
  FUZZ_SECONDS="${SAGETRAIL_FUZZ_SECONDS:-20}"
  echo "== fuzzing (${FUZZ_SECONDS} s per target)"
  fuzz_dir=$(mktemp -d "${TMPDIR:-/tmp}/sagetrail-fuzz.XXXXXX")
  while read -r target; do
    [ -n "$target" ] || continue
    mkdir -p "$fuzz_dir/$target/corpus" "$fuzz_dir/$target/artifacts"
    cp fuzz/corpus/"$target"/* "$fuzz_dir/$target/corpus/"
    dict=()
    [ -f fuzz/dict/"$target".dict ] && dict=(-dict=fuzz/dict/"$target".dict)
    log="$fuzz_dir/$target/fuzz.log"
    if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        build-asan/fuzz/"$target"_fuzz "${dict[@]}" -max_total_time="$FUZZ_SECONDS" -timeout=25 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$fuzz_dir/$target/artifacts/" \
        "$fuzz_dir/$target/corpus" >"$log" 2>&1; then
      tail -n 60 "$log"
      echo "fuzz: $target failed; input and log kept in $fuzz_dir/$target" >&2
      exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1)
    echo "fuzz: $target: $runs inputs ($speed/s), $cov, no crash"
  done <build-asan/fuzz/targets.txt
  rm -rf "$fuzz_dir"
fi
echo "== all tests passed"
