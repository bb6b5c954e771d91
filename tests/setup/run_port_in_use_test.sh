#!/usr/bin/env bash
# ctest setup.run_port_in_use: `tools/dev.sh run` with a port that another process holds stops
# before installing or building anything, with one line naming the port, where its number came
# from (flag, variable, config file) and the process holding it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'kill "$holder" 2>/dev/null || true; rm -rf "$work"' EXIT

python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
print(s.getsockname()[1], flush=True)
time.sleep(300)' >"$work/port" &
holder=$!
for _ in $(seq 100); do
  [[ -s $work/port ]] && break
  sleep 0.1
done
port=$(cat "$work/port")
[[ -n $port ]] || { echo "the holder did not start"; exit 1; }
printf 'port %s\nhttp-port 0\nadmin-port 0\n' "$port" >"$work/basalt.conf"

failures=0
# expect DESCRIPTION ORIGIN COMMAND...: dev.sh run must fail at once, naming port, origin, holder.
expect() {
  local description=$1 origin=$2 rc=0
  shift 2
  timeout 60 "$@" >"$work/out" 2>&1 || rc=$?
  local out
  out=$(cat "$work/out")
  if ((rc != 1)) || [[ $out != *"port $port ($origin) is in use by python3 (pid $holder)"* ]]; then
    echo "FAIL $description: exit $rc"
    echo "$out" | head -20
    failures=$((failures + 1))
  else
    echo "ok   $description: $(head -1 "$work/out")"
  fi
}
# A copy outside the source tree: if the check let the run through, it could build nothing here.
mkdir "$work/tools"
cp "$root/tools/dev.sh" "$work/tools/dev.sh"
dev=$work/tools/dev.sh
expect "--port N" --port "$dev" run --port "$port" --http-port 0 --admin-port 0
expect "--http-port=N" --http-port "$dev" run --port=0 --http-port="$port" --admin-port=0
expect "BASALT_ADMIN_PORT" BASALT_ADMIN_PORT \
  env BASALT_ADMIN_PORT="$port" "$dev" run --port 0 --http-port 0
expect "config file first" "port in $work/basalt.conf" "$dev" run "$work/basalt.conf"
expect "--config FILE" "port in $work/basalt.conf" "$dev" run --config "$work/basalt.conf"
((failures == 0))
