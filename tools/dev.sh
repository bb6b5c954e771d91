#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (run as root, or with sudo available):
#   tools/dev.sh run [server flags]   installs what is missing, builds the server, starts it (RESP 6379)
#   tools/dev.sh test                 installs what is missing, builds everything, runs every test
#                                     (release build, then ASan+UBSan, then fuzzers)
#   tools/dev.sh deps | build
# Environment: JOBS (parallel jobs, default nproc), BASALT_FUZZ_SECONDS (default 60 per fuzzer),
# BASALT_SKIP_SANITIZE=1 / BASALT_SKIP_FUZZ=1 to shorten a local run (CI runs everything).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=${JOBS:-$(nproc)}
sudo=""
((EUID == 0)) || sudo=sudo

# Debian packages the build, the tests and the benchmarks need; nothing else is downloaded.
packages=(build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev clang-format
  libuv1-dev node-llhttp libsimdjson-dev libjemalloc-dev libhiredis-dev libgtest-dev libgmock-dev
  libbenchmark-dev
  redis-server redis-tools python3 python3-redis
  python3-yaml chromium wrk webdis)

# The release build's options, forced so that a cache configured otherwise by hand cannot make
# `test` run fewer tests.
release_options=(-DBASALT_TESTS=ON -DBASALT_BENCH=ON -DBASALT_SANITIZE=OFF -DBASALT_FUZZ=OFF)

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

# Packages that ship a service (redis-server, webdis) are for the tests: their services must not
# start during the install (redis-server's would take port 6379, which `run` needs) nor at boot.
# A policy-rc.d that refuses every start is in place only while apt-get runs; one that was there
# before is put back.
policy=/usr/sbin/policy-rc.d
policy_mark="# written by basalt's tools/dev.sh for the length of one apt-get install"

forbid_service_starts() {
  allow_service_starts # one left behind by an interrupted run
  trap allow_service_starts EXIT
  trap 'allow_service_starts; exit 130' INT TERM
  if [[ -e $policy ]]; then $sudo mv "$policy" "$policy.basalt-saved"; fi
  printf '#!/bin/sh\n%s\nexit 101\n' "$policy_mark" | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
}

allow_service_starts() {
  grep -qxF "$policy_mark" "$policy" 2>/dev/null || return 0
  $sudo rm -f "$policy"
  if [[ -e $policy.basalt-saved ]]; then $sudo mv "$policy.basalt-saved" "$policy"; fi
  trap - EXIT INT TERM
}

# disable_services PACKAGE...: the systemd services these (just installed) packages ship stay off.
disable_services() {
  command -v systemctl >/dev/null || return 0
  local units=() unit
  while read -r unit; do
    units+=("$(basename "$unit")")
  done < <(dpkg -L "$@" 2>/dev/null | grep -E '^(/usr)?/lib/systemd/system/[^/@]+\.service$' || true)
  ((${#units[@]} > 0)) || return 0
  local now=()
  [[ -d /run/systemd/system ]] && now=(--now)
  $sudo systemctl disable "${now[@]}" --quiet "${units[@]}" ||
    echo "tools/dev.sh: could not disable ${units[*]}: stop them before tools/dev.sh run" >&2
  echo "tools/dev.sh: ${units[*]} installed for the tests only, and disabled" \
    "(systemctl enable --now ${units[*]} to run them as services)"
}

install_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} > 0)) || return 0
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  forbid_service_starts
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  allow_service_starts
  disable_services "${missing[@]}"
}

deps() {
  node_deps
  install_packages "${packages[@]}"
}

# build DIR [-DOPTION=VALUE...] [TARGET...]: configure DIR (Ninja, warnings as errors) and build the
# targets, or everything without any.
build() {
  local dir=$1 options=() targets=() arg
  shift
  for arg in "$@"; do
    if [[ $arg == -D* ]]; then options+=("$arg"); else targets+=("$arg"); fi
  done
  cmake -S "$root" -B "$dir" -G Ninja -DBASALT_WERROR=ON "${options[@]}" >/dev/null
  if ((${#targets[@]} > 0)); then
    cmake --build "$dir" -j "$jobs" --target "${targets[@]}"
  else
    cmake --build "$dir" -j "$jobs"
  fi
}

run_tests() {
  local dir=$1
  ctest --test-dir "$dir" -j "$jobs" --output-on-failure --timeout 600 --no-tests=error
}

# --- run's port check: the ports the server will take, read as it reads them (a config file,
# then BASALT_* variables, then flags), must be free, or we say what holds them.
port_holder() {
  command -v ss >/dev/null || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(("[^"]*",pid=[0-9]*' | head -1 |
    sed -E 's/users:\(\("([^"]*)",pid=([0-9]*)/\1 (pid \2)/' || true
}

check_ports() {
  local -A port=([port]=6379 [http-port]=8080 [admin-port]=8081) origin=()
  local file=${BASALT_CONFIG:-} args=("$@") flags=() i name value
  for ((i = 0; i < ${#args[@]}; i++)); do
    case ${args[i]} in
      --help | -h) return 0 ;;
      --*=*) name=${args[i]%%=*} value=${args[i]#*=} ;;
      --*) name=${args[i]} value=${args[i + 1]:-} i=$((i + 1)) ;;
      *)
        if ((i == 0)); then file=${args[i]}; fi
        continue
        ;;
    esac
    name=${name#--}
    if [[ $name == config ]]; then file=$value; else flags+=("$name" "$value"); fi
  done
  if [[ -n $file && -r $file ]]; then
    while read -r name value; do
      port[$name]=$value origin[$name]="$name in $file"
    done < <(awk '$1 == "port" || $1 == "http-port" || $1 == "admin-port" { print $1, $2 }' "$file")
  fi
  for name in port http-port admin-port; do
    local env=BASALT_${name//-/_}
    env=${env^^}
    if [[ -n ${!env:-} ]]; then port[$name]=${!env} origin[$name]=$env; fi
  done
  for ((i = 0; i < ${#flags[@]}; i += 2)); do
    name=${flags[i]}
    if [[ -v port[$name] ]]; then port[$name]=${flags[i + 1]} origin[$name]=--$name; fi
  done
  local busy=0 p holder
  for name in port http-port admin-port; do
    p=${port[$name]}
    [[ $p =~ ^[0-9]+$ ]] && ((p > 0 && p < 65536)) || continue # 0 disables; the server judges the rest
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || continue
    busy=1
    holder=$(port_holder "$p")
    echo "tools/dev.sh: cannot start basalt-server: port $p (${origin[$name]:-$name, the default})" \
      "is in use by ${holder:-another process (sudo ss -ltnp 'sport = :$p' names it)}" >&2
    if [[ $holder == redis-server* ]] && systemctl is-active --quiet redis-server 2>/dev/null; then
      echo "  it is Debian's redis-server service; systemctl disable --now redis-server stops it for good" >&2
    fi
  done
  if ((busy)); then
    echo "  stop it, or run on other ports: tools/dev.sh run --port 7000 --http-port 7080 --admin-port 7081" >&2
    exit 1
  fi
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

command=${1:-}
(($# == 0)) || shift
case "$command" in
  deps) deps ;;
  build) deps && build build/release "${release_options[@]}" ;;
  run)
    check_ports "$@"
    deps
    # The same build directory and options as `test`, so that neither undoes the other; only the
    # server is built here.
    build build/release "${release_options[@]}" basalt-server
    exec build/release/basalt-server "$@"
    ;;
  test)
    deps
    build build/release "${release_options[@]}"
    run_tests build/release
    if [[ -z ${BASALT_SKIP_SANITIZE:-} ]]; then
      build build/sanitize -DBASALT_TESTS=ON -DBASALT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
      ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 run_tests build/sanitize
    fi
    [[ -n ${BASALT_SKIP_FUZZ:-} ]] || fuzz
    echo "all tests passed"
    ;;
  *)
    sed -n '2,8p' "$0"
    exit 2
    ;;
esac
