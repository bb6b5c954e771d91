#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (run as root, or with sudo available):
#   tools/dev.sh run [server flags]   installs what is missing, builds the server, starts it (RESP 6379)
#   tools/dev.sh test                 installs what is missing, builds everything, runs every test
#                                     (release build, then ASan+UBSan, then fuzzers)
#   tools/dev.sh deps [--build-only | --runtime-only]     install Debian (and npm) packages
#   tools/dev.sh packages build|runtime|test              print one package set
#   tools/dev.sh build [DIR [-DOPTION=VALUE...] [TARGET...]]   configure and build (default: deps,
#                                     then everything in build/release)
#   tools/dev.sh install DIR PREFIX   install the server and its docs page files from DIR into PREFIX
#   tools/dev.sh check-install PREFIX start PREFIX's server on free ports, fetch its docs page
# The Dockerfile's steps are deps/build/install/check-install; tests/setup runs the same calls.
# Environment: JOBS (parallel jobs, default nproc), BASALT_FUZZ_TOTAL_SECONDS (default 240, the fuzz
# phase's wall time, shared by the fuzzers, JOBS at a time) or BASALT_FUZZ_SECONDS (per fuzzer),
# BASALT_SKIP_SANITIZE=1 / BASALT_SKIP_FUZZ=1 to shorten a local run (CI runs everything).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=${JOBS:-$(nproc)}
sudo=""
((EUID == 0)) || sudo=sudo

# Debian packages, in three sets; nothing else is downloaded but the npm packages below.
# build: what compiles basalt-server (the Docker image's build stage installs only these).
build_packages=(build-essential cmake ninja-build pkg-config
  libuv1-dev node-llhttp libsimdjson-dev libjemalloc-dev)
# runtime: the shared libraries basalt-server links (the image's runtime stage; check-install
# verifies that the installed binary needs nothing else beyond libc and libstdc++).
runtime_packages=(libuv1 libsimdjson14 libjemalloc2)
# test: the tests, the client's examples, the benchmarks and the reference servers.
test_packages=(clang libclang-rt-14-dev clang-format libhiredis-dev libgtest-dev libgmock-dev
  libbenchmark-dev
  redis-server redis-tools python3 python3-redis
  python3-yaml chromium wrk webdis
  strace)  # test_aof_group_commit: the order of the AOF's fsyncs and the replies, syscall by syscall
# Present on every Debian system (the slim image included): not part of any set.
base_packages=(libc6 libgcc-s1 libstdc++6)

# The release build's options, forced so that a cache configured otherwise by hand cannot make
# `test` run fewer tests.
release_options=(-DBASALT_TESTS=ON -DBASALT_BENCH=ON -DBASALT_SANITIZE=OFF -DBASALT_FUZZ=OFF)

die() {
  echo "tools/dev.sh: $*" >&2
  exit 1
}

# npm packages of the HTTP front end (adapters/http/ui: Swagger UI for the docs page,
# @upstash/redis and playwright-core for its tests), installed from the committed lock file.
# node_deps full|prod: prod installs Swagger UI alone (what the installed server serves).
# Install scripts are not needed and not run.
node_deps() {
  local mode=$1 ui=adapters/http/ui
  command -v npm >/dev/null || { echo "npm not found: skipping $ui's packages"; return 0; }
  local lock=$ui/package-lock.json stamp=$ui/node_modules/.basalt-lock
  cmp -s "$lock" "$stamp" 2>/dev/null && return 0
  if [[ $mode == prod ]] && cmp -s "$lock" "$stamp-prod" 2>/dev/null; then return 0; fi
  local omit=()
  if [[ $mode == prod ]]; then omit=(--omit=dev) stamp=$stamp-prod; fi
  echo "installing npm packages in $ui ${omit[*]}"
  (cd "$ui" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error "${omit[@]}")
  cp "$lock" "$stamp"
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

# deps [--build-only | --runtime-only]: every set by default.
deps() {
  local wanted=() node=full
  case "${1:-}" in
    "") wanted=("${build_packages[@]}" "${runtime_packages[@]}" "${test_packages[@]}") ;;
    --build-only) wanted=("${build_packages[@]}") node=prod ;;
    --runtime-only) wanted=("${runtime_packages[@]}") node=none ;;
    *) die "deps takes --build-only or --runtime-only, not $1" ;;
  esac
  # Swagger UI (the docs page) comes from npm: Debian's npm when the machine has none.
  [[ $node == none ]] || command -v npm >/dev/null || wanted+=(npm)
  install_packages "${wanted[@]}"
  [[ $node == none ]] || node_deps "$node"
}

# build DIR [-DOPTION=VALUE...] [TARGET...]: configure DIR (Ninja, warnings as errors) and build the
# targets, or everything without any. The Docker image's build step is this function.
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

# install DIR PREFIX: the server's component (basalt-server, the docs page's Swagger UI files).
install_server() {
  cmake --install "$1" --component server --prefix "$2" --strip
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
    # 0 disables a port; the server judges values that are not port numbers.
    if ! [[ $p =~ ^[0-9]+$ ]] || ((p == 0 || p > 65535)); then continue; fi
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || continue
    busy=1
    holder=$(port_holder "$p")
    echo "tools/dev.sh: cannot start basalt-server: port $p (${origin[$name]:-$name, the default})" \
      "is in use by ${holder:-another process (sudo ss -ltnp \"sport = :$p\" names it)}" >&2
    if [[ $holder == redis-server* ]] && systemctl is-active --quiet redis-server 2>/dev/null; then
      echo "  it is Debian's redis-server service; systemctl disable --now redis-server stops it for good" >&2
    fi
  done
  if ((busy)); then
    echo "  stop it, or run on other ports: tools/dev.sh run --port 7000 --http-port 7080 --admin-port 7081" >&2
    exit 1
  fi
}

# --- check-install PREFIX: what the Docker image's build stage runs on its staging prefix, and
# CI on its own (tests/setup): the installed server, started from PREFIX outside the source tree,
# serves the docs page and Swagger UI from PREFIX, and links only the runtime set's libraries.
check_runtime_libs() {
  local bin=$1 allowed lib candidate path line pkg libs=() paths=() bad=()
  local -A owner=()
  command -v dpkg >/dev/null || { echo "no dpkg: shared libraries not checked"; return 0; }
  allowed=" ${runtime_packages[*]} ${base_packages[*]} "
  mapfile -t libs < <(ldd "$bin" | grep -oE '/[^ ]+')
  # A library's path as ldd gives it, or its target; with or without /usr (merged /usr: dpkg
  # knows each file under one of the two). One dpkg call: each takes a second.
  for lib in "${libs[@]}"; do
    for candidate in "$lib" "$(readlink -f "$lib")"; do
      paths+=("/usr${candidate#/usr}" "${candidate#/usr}")
    done
  done
  while IFS= read -r line; do
    [[ $line == *": /"* ]] || continue
    pkg=${line%%: *}
    owner[${line#*: }]=${pkg%%:*}
  done < <(dpkg -S "${paths[@]}" 2>/dev/null || true)
  for lib in "${libs[@]}"; do
    pkg=""
    for candidate in "$lib" "$(readlink -f "$lib")"; do
      for path in "/usr${candidate#/usr}" "${candidate#/usr}"; do
        [[ -n $pkg ]] || pkg=${owner[$path]:-}
      done
    done
    [[ -n $pkg && $allowed == *" $pkg "* ]] || bad+=("$lib (${pkg:-no package})")
  done
  ((${#bad[@]} == 0)) ||
    die "$bin needs libraries outside the runtime package set (tools/dev.sh packages runtime): ${bad[*]}"
  echo "shared libraries: all from ${runtime_packages[*]} ${base_packages[*]}"
}

# http_get PORT PATH OUT: prints the status code, leaves the body in OUT.
http_get() {
  local fd
  exec {fd}<>"/dev/tcp/127.0.0.1/$1"
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&"$fd"
  timeout 10 cat <&"$fd" >"$3.raw" || true
  exec {fd}>&-
  local head
  head=$(sed -n '1,/^\r$/p' "$3.raw" | wc -c)
  tail -c +$((head + 1)) "$3.raw" >"$3"
  head -1 "$3.raw" | cut -d' ' -f2
}

check_install() {
  [[ -d ${1:-} ]] || die "check-install takes an installation prefix"
  local prefix bin work
  prefix=$(cd "$1" && pwd -P)
  bin=$prefix/bin/basalt-server
  [[ -x $bin ]] || die "$bin: not installed"
  check_runtime_libs "$bin"
  work=$(mktemp -d)
  local pid="" http="" attempt port up
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    http=$((port + 1))
    # A clean environment: no BASALT_HTTP_DOCS_DIR or BASALT_* settings from the caller.
    (cd "$work" && exec env -i PATH=/usr/bin:/bin "$bin" --port "$port" --http-port "$http" \
      --admin-port "$((port + 2))") >"$work/server.log" 2>&1 &
    pid=$!
    up=0
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      if (exec 3<>"/dev/tcp/127.0.0.1/$http") 2>/dev/null; then up=1; break; fi
      sleep 0.1
    done
    ((up)) && break
    echo "attempt $attempt: no server on port $http" >&2
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
  done
  [[ -n $pid ]] || { cat "$work/server.log" >&2; die "the installed basalt-server did not start"; }
  local failure="" status name size
  local docs=$prefix/share/basalt/swagger-ui
  grep -qF "Swagger UI from $docs" "$work/server.log" ||
    failure="the server does not serve Swagger UI from $docs"
  for name in docs/ docs/swagger-ui-bundle.js docs/swagger-ui.css openapi.json; do
    [[ -z $failure ]] || break
    status=$(http_get "$http" "/api/v1/$name" "$work/body")
    size=$(wc -c <"$work/body")
    if [[ $status != 200 || $size -eq 0 ]]; then
      failure="GET /api/v1/$name: status ${status:-none}, $size bytes"
    elif [[ $name == docs/ ]] && ! grep -q 'swagger-ui-bundle.js' "$work/body"; then
      failure="GET /api/v1/docs/: the page does not load Swagger UI"
    else
      echo "GET /api/v1/$name: 200, $size bytes"
    fi
  done
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  if [[ -n $failure ]]; then
    cat "$work/server.log" >&2
    rm -rf "$work"
    die "check-install $prefix: $failure"
  fi
  rm -rf "$work"
  echo "check-install $prefix: the docs page and Swagger UI are served from the prefix"
}

fuzz() {
  local dir=build/fuzz
  CC=clang CXX=clang++ cmake -S "$root" -B "$dir" -G Ninja -DBASALT_WERROR=ON -DBASALT_FUZZ=ON \
    -DBASALT_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  # Only the fuzz targets (and the libraries under them): the tests already ran in two builds.
  local targets=()
  for source in "$root"/tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$source" .cpp)"); done
  cmake --build "$dir" -j "$jobs" --target "${targets[@]}"
  # One wall-clock budget shared by every target (BASALT_FUZZ_TOTAL_SECONDS, default 4 minutes),
  # with one target per core at a time: each gets total x cores / targets seconds, at least 30,
  # so that adding targets keeps the suite's time bounded instead of dropping any;
  # BASALT_FUZZ_SECONDS sets a fixed time per target instead.
  local total=${BASALT_FUZZ_TOTAL_SECONDS:-240}
  local share=$((total * jobs / ${#targets[@]}))
  local seconds=${BASALT_FUZZ_SECONDS:-$((share > 30 ? share : 30))}
  echo "fuzzing ${#targets[@]} targets, $jobs at a time, ${seconds}s each"
  local name failed=()
  for name in "${targets[@]}"; do
    while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
    fuzz_one "$dir" "$name" "$seconds" &
  done
  wait
  for name in "${targets[@]}"; do
    if [[ -e $dir/$name.failed ]]; then
      failed+=("$name")
      echo "--- $name failed; the end of $dir/$name.log:"
      tail -50 "$dir/$name.log"
    else
      echo "$name: $(grep -E 'stat::number_of_executed_units' "$dir/$name.log" || true)"
    fi
  done
  ((${#failed[@]} == 0)) || die "fuzz targets failed: ${failed[*]}"
}

# fuzz_one DIR NAME SECONDS: one target on a fresh corpus seeded from the committed one, which
# holds seeds and every crash found so far (kept as regression inputs). Marks failure with a file
# (it runs in the background, beside another target).
fuzz_one() {
  local dir=$1 name=$2 seconds=$3 corpus
  rm -f "$dir/$name.failed"
  corpus=$(mktemp -d)
  "$dir/tests/fuzz/$name" -max_total_time="$seconds" -print_final_stats=1 "$corpus" \
    "tests/fuzz/corpus/${name#fuzz_}" 2>"$dir/$name.log" || touch "$dir/$name.failed"
  rm -rf "$corpus"
}

command=${1:-}
(($# == 0)) || shift
case "$command" in
  deps) deps "$@" ;;
  packages)
    case "${1:-}" in
      build) echo "${build_packages[*]}" ;;
      runtime) echo "${runtime_packages[*]}" ;;
      test) echo "${test_packages[*]}" ;;
      *) die "packages takes build, runtime or test" ;;
    esac
    ;;
  build)
    if (($# == 0)); then
      deps
      build build/release "${release_options[@]}"
    else
      build "$@"
    fi
    ;;
  install)
    (($# == 2)) || die "install takes a build directory and a prefix"
    install_server "$@"
    ;;
  check-install) check_install "$@" ;;
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
    sed -n '2,14p' "$0"
    exit 2
    ;;
esac
