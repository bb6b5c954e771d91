# ctest -R client.benchmark_smoke: runs basalt-benchmark against a live basalt-server in a few
# modes and checks that it finishes with results and no errors.
#   cmake -DBENCH_BIN=... -DSERVER_BIN=... -P benchmark_smoke_test.cmake
cmake_minimum_required(VERSION 3.25)
string(RANDOM LENGTH 4 ALPHABET 0123456789 r)
math(EXPR port "20000 + ${r} % 20000")
math(EXPR http_port "${port} + 2")
execute_process(COMMAND sh -c "${SERVER_BIN} --port ${port} --http-port ${http_port} --admin-port 0 --loglevel warning --save '' >/dev/null 2>&1 & echo $!"
                OUTPUT_VARIABLE pid OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND bash -c "for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && exit 0; sleep 0.05; done; exit 1"
                RESULT_VARIABLE up)
set(failure "")
if(NOT up EQUAL 0)
  set(failure "basalt-server did not start on port ${port}")
endif()
# One run per line, arguments separated by "|" (a CMake list of lists).
set(runs
  "-n|20000|-c|8|-P|16|--workload|set"
  "-n|20000|-c|4|--threads|2|-P|4|--ratio|1:3|--key-distribution|zipf:0.9|-d|100"
  "--duration|0.5|--warmup|0.2|-c|4|--workload|push|--keyspace|4"
  "-n|5000|-c|2|--workload|pop|--keyspace|4|--key-distribution|sequential"
  "-n|5000|-c|2|-P|8|--workload|SET bench:__key__ v-__rand_int__"
  # The HTTP driver: it must end when its requests are done (its kept-alive connections must not
  # hold the run open until the server's idle timeout).
  "--http|http://127.0.0.1:${http_port}|-n|2000|-c|2"
  "--http|http://127.0.0.1:${http_port}|-n|4000|-c|2|-P|8|--ratio|1:1"
)
foreach(run IN LISTS runs)
  if(failure)
    break()
  endif()
  string(REPLACE "|" ";" args "${run}")
  string(REPLACE "|" " " shown "${run}")
  execute_process(COMMAND ${BENCH_BIN} -p ${port} --json -q ${args}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 30)
  if(NOT rc EQUAL 0)
    set(failure "basalt-benchmark ${shown} failed (${rc}):\n${out}\n${err}")
  elseif(NOT out MATCHES "\"ops_per_sec\": [1-9]")
    set(failure "basalt-benchmark ${shown}: no throughput:\n${out}")
  elseif(NOT out MATCHES "\"errors\": {}")
    set(failure "basalt-benchmark ${shown}: errors:\n${out}")
  else()
    message(STATUS "basalt-benchmark ${shown}: ok")
  endif()
endforeach()
if(NOT failure)
  # The table form, and the error path: an unreachable server is reported, not a hang.
  execute_process(COMMAND ${BENCH_BIN} -p ${port} -n 1000 RESULT_VARIABLE rc OUTPUT_VARIABLE out)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "p99.99" OR NOT out MATCHES "errors: none")
    set(failure "table output:\n${out}")
  endif()
  # redis-benchmark's -t and -q: one line per test, in redis-benchmark's order and format.
  execute_process(COMMAND ${BENCH_BIN} -p ${port} -n 2000 -c 4 -t get,set,lrange_100 -q
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 30)
  set(line "requests per second, p50=[0-9.]+ msec\n")
  if(NOT rc EQUAL 0 OR NOT out MATCHES "^SET: [0-9.]+ ${line}GET: [0-9.]+ ${line}LPUSH \\(needed to benchmark LRANGE\\): [0-9.]+ ${line}LRANGE_100 \\(first 100 elements\\): [0-9.]+ ${line}$")
    set(failure "-t get,set,lrange_100 -q (${rc}):\n${out}\n${err}")
  endif()
  execute_process(COMMAND ${BENCH_BIN} -p ${port} -n 10 -t set,nosuchtest RESULT_VARIABLE rc
                  ERROR_VARIABLE err TIMEOUT 30)
  if(NOT rc EQUAL 2 OR NOT err MATCHES "no test named \"nosuchtest\"")
    set(failure "an unknown -t test is not a usage error (${rc}): ${err}")
  endif()
  # GETs count hits and misses: every key set just before is a hit (same seed, same keys), a key
  # never set is a miss; over RESP and over HTTP.
  execute_process(COMMAND ${BENCH_BIN} -p ${port} -n 3000 -c 3 --keyspace 50 -t set,get --json
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out TIMEOUT 30)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "\"op\": \"GET\", \"requests\": 3000, \"errors\": 0, \"hits\": 3000, \"misses\": 0")
    set(failure "GET hits:\n${out}")
  endif()
  # The cache workload reports how many GETs its warm-up sent (bench/cache_bounds replays them).
  execute_process(COMMAND ${BENCH_BIN} -p ${port} --workload cache --keyspace 1000 -c 2 -n 2000
                          --warmup 0.2 --json
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out TIMEOUT 30)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "\"op\": \"GET\"[^}]*\"warmup_requests\": [1-9]")
    set(failure "cache workload's warm-up count:\n${out}")
  endif()
  # --warmup-requests: exactly that many requests go unrecorded before the -n measured ones, so
  # that two servers compared see the same history however fast each is.
  execute_process(COMMAND ${BENCH_BIN} -p ${port} --workload cache --keyspace 1000 -c 2 -P 4
                          -n 2000 --warmup-requests 1000 --json
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out TIMEOUT 30)
  if(NOT rc EQUAL 0 OR NOT out MATCHES
     "\"op\": \"ALL\", \"requests\": 2000, \"errors\": 0, \"warmup_requests\": 1000,")
    set(failure "cache workload's counted warm-up:\n${out}")
  endif()
  foreach(target "-p|${port}" "--http|http://127.0.0.1:${http_port}|-P|4")
    string(REPLACE "|" ";" target_args "${target}")
    execute_process(COMMAND ${BENCH_BIN} ${target_args} -n 400 -c 2 --json
                            --workload "GET never-set:__rand_int__"
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out TIMEOUT 30)
    if(NOT rc EQUAL 0 OR NOT out MATCHES "\"errors\": 0, \"hits\": 0, \"misses\": 400")
      set(failure "GET misses (${target}):\n${out}")
    endif()
  endforeach()
  execute_process(COMMAND ${BENCH_BIN} -p ${port} -n 2000 -q RESULT_VARIABLE rc OUTPUT_VARIABLE out)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "^SET: [0-9.]+ ${line}$")
    set(failure "-q without -t:\n${out}")
  endif()
  # A run whose requests all fail exits 1 and prints the first error's text, over RESP and HTTP;
  # one where some fail does not: INCR of ten keys set to "x" just before fails, of ten others
  # succeeds (sequential keys, one connection: the same keys every time).
  execute_process(COMMAND ${BENCH_BIN} -p ${port} -n 10 -c 1 --keyspace 10
                          --key-distribution sequential -q --workload "SET mixed:__rand_int__ x"
                  OUTPUT_QUIET TIMEOUT 30)
  execute_process(COMMAND ${BENCH_BIN} -p ${port} -n 20 -c 1 --keyspace 20
                          --key-distribution sequential -q --workload "INCR mixed:__rand_int__"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 30)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "errors: ERR 10\n  first INCR error: ERR value is not an integer")
    set(failure "some requests failing (${rc}):\n${out}\n${err}")
  endif()
  math(EXPR dead "${port} + 1")
  execute_process(COMMAND ${BENCH_BIN} -p ${dead} -n 10 -q RESULT_VARIABLE rc ERROR_VARIABLE err
                  TIMEOUT 30)
  if(rc EQUAL 0 OR NOT err MATCHES "cannot connect")
    set(failure "unreachable server not reported (${rc}): ${err}")
  endif()
  execute_process(COMMAND ${BENCH_BIN} --http http://127.0.0.1:x -n 10 RESULT_VARIABLE rc
                  ERROR_VARIABLE err TIMEOUT 30)
  if(NOT rc EQUAL 2 OR NOT err MATCHES "bad port")
    set(failure "a bad --http URL is not a usage error (${rc}): ${err}")
  endif()
endif()
execute_process(COMMAND kill ${pid})
if(failure)
  message(FATAL_ERROR "${failure}")
endif()
