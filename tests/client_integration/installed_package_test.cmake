# ctest -R client.installed_package: installs the client library into a temporary prefix,
# configures and builds client/examples as an out-of-tree project with find_package(basalt) (and
# checks the pkg-config file), then runs the examples against a live basalt-server.
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DSERVER_BIN=... [-DSANITIZE=ON] -P installed_package_test.cmake
cmake_minimum_required(VERSION 3.25)
set(work ${BUILD_DIR}/installed_package_test)
file(REMOVE_RECURSE ${work})
set(prefix ${work}/prefix)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --component Unspecified)
foreach(f include/basalt/client.hpp include/basalt/async_client.hpp include/basalt/pool.hpp
          include/basalt/protocol/reply.hpp lib/libbasalt_client.a lib/libbasalt_client.so
          lib/cmake/basalt/basaltConfig.cmake lib/pkgconfig/basalt.pc)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()

# The examples must not see the source tree: only the installed package.
if(CMAKE_GENERATOR)
  set(gen -G ${CMAKE_GENERATOR})
endif()
# A sanitizer build installs instrumented libraries: their users must link the runtime too.
set(extra_flags "")
if(SANITIZE)
  set(extra_flags -fsanitize=address,undefined)
endif()
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/client/examples -B ${work}/build ${gen}
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS=${extra_flags}"
    "-DCMAKE_EXE_LINKER_FLAGS=${extra_flags}")
run(${CMAKE_COMMAND} --build ${work}/build -j 2)

# pkg-config: a one-file program compiled with nothing but the .pc file's flags.
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
run(${PKG_CONFIG} --cflags --libs --static basalt)
string(STRIP "${last_output}" pc_flags)
separate_arguments(pc_flags UNIX_COMMAND "${pc_flags}")
find_program(CXX NAMES c++ g++ clang++ REQUIRED)
# -lbasalt_client finds the shared library first; the rpath lets the program find it here.
run(${CXX} -o ${work}/pc_example ${SOURCE_DIR}/client/examples/sync.cpp ${pc_flags}
    -Wl,-rpath,${prefix}/lib ${extra_flags})

# A live server on a free port.
string(RANDOM LENGTH 4 ALPHABET 0123456789 r)
math(EXPR port "20000 + ${r} % 20000")
execute_process(COMMAND sh -c "${SERVER_BIN} --port ${port} --http-port 0 --admin-port 0 --loglevel warning >/dev/null 2>&1 & echo $!"
                OUTPUT_VARIABLE pid OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND bash -c "for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && exit 0; sleep 0.05; done; exit 1"
                RESULT_VARIABLE up)
set(failure "")
if(NOT up EQUAL 0)
  set(failure "basalt-server did not start on port ${port}")
else()
  foreach(exe build/basalt_example_sync build/basalt_example_pipeline build/basalt_example_async
              build/basalt_example_sync_shared pc_example)
    execute_process(COMMAND ${work}/${exe} 127.0.0.1 ${port} RESULT_VARIABLE rc
                    OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
    if(NOT rc EQUAL 0 OR NOT out MATCHES "ok\n$")
      set(failure "${exe} failed (${rc}):\n${out}\n${err}")
      break()
    endif()
    message(STATUS "${exe}: ok")
  endforeach()
endif()
execute_process(COMMAND kill ${pid})
if(failure)
  message(FATAL_ERROR "${failure}")
endif()
