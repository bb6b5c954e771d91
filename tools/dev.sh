#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (run as root, or with sudo available):
#   tools/dev.sh run    installs what is missing, builds, starts basalt-server (RESP 6379)
#   tools/dev.sh test   installs what is missing, builds, runs every test (plain, then ASan+UBSan, then fuzzers)
#   tools/dev.sh deps | build
# Environment: JOBS (parallel jobs, default nproc), BASALT_FUZZ_SECONDS (default 60 per fuzzer),
# BASALT_SKIP_SANITIZE=1 / BASALT_SKIP_FUZZ=1 to shorten a local run (CI runs everything).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=${JOBS:-$(nproc)}

# Debian packages the build, the tests and the benchmarks need; nothing else is downloaded.
packages=(build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev clang-format
  libuv1-dev node-llhttp libsimdjson-dev libjemalloc-dev libhiredis-dev libgtest-dev libgmock-dev
  libbenchmark-dev
  redis-server redis-tools python3 python3-redis
  python3-yaml chromium wrk webdis)

# npm packages of the HTTP front end (adapters/http/ui: Swagger UI for the docs page,
# @upstash/redis and playwright-core for its tests), installed from the committed lock file.
# Node.js and npm come with the machine image; install scripts are not needed and not run.
node_deps() {
  local ui=adapters/http/ui
  command -v npm >/dev/null || { echo "npm not found: skipping $ui's packages"; return 0; }
  cmp -s "$ui/package-lock.json" "$ui/node_modules/.basalt-lock" 2>/dev/null && return 0
  echo "installing npm packages in $ui"
  (cd "$ui" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  cp "$ui/package-lock.json" "$ui/node_modules/.basalt-lock"
}

deps() {
  node_deps
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  echo "installing: ${missing[*]}"
  local sudo=""
  ((EUID == 0)) || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# build DIR [cmake args...]
build() {
  local dir=$1
  shift
  cmake -S "$root" -B "$dir" -G Ninja -DBASALT_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

run_tests() {
  local dir=$1
  ctest --test-dir "$dir" -j "$jobs" --output-on-failure --timeout 600
}

fuzz() {
  local dir=build/fuzz seconds=${BASALT_FUZZ_SECONDS:-60}
  CC=clang CXX=clang++ cmake -S "$root" -B "$dir" -G Ninja -DBASALT_WERROR=ON -DBASALT_FUZZ=ON \
    -DBASALT_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  # Only the fuzz targets (and the libraries under them): the tests already ran in two builds.
  local targets=()
  for source in "$root"/tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$source" .cpp)"); done
  cmake --build "$dir" -j "$jobs" --target "${targets[@]}"
  for target in "$dir"/tests/fuzz/fuzz_*; do
    [[ -x $target ]] || continue
    local name corpus
    name=$(basename "$target")
    corpus=$(mktemp -d)
    echo "fuzzing $name for ${seconds}s"
    # The committed corpus holds seeds and every crash found so far (kept as regression inputs).
    "$target" -max_total_time="$seconds" -print_final_stats=1 "$corpus" "tests/fuzz/corpus/${name#fuzz_}" \
      2>"$dir/$name.log" || { tail -50 "$dir/$name.log"; exit 1; }
    grep -E 'stat::number_of_executed_units' "$dir/$name.log" || true
    rm -rf "$corpus"
  done
}

case "${1:-}" in
  deps) deps ;;
  build) deps && build build/release ;;
  run)
    deps
    build build/release -DBASALT_TESTS=OFF -DBASALT_BENCH=OFF
    shift
    exec build/release/basalt-server "$@"
    ;;
  test)
    deps
    build build/release
    run_tests build/release
    if [[ -z ${BASALT_SKIP_SANITIZE:-} ]]; then
      build build/sanitize -DBASALT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
      ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 run_tests build/sanitize
    fi
    [[ -n ${BASALT_SKIP_FUZZ:-} ]] || fuzz
    echo "all tests passed"
    ;;
  *)
    sed -n '2,7p' "$0"
    exit 2
    ;;
esac
