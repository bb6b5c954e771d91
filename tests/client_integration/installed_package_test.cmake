# ctest -R client.installed_package: runs the README's client install commands as they are written
# (the shell lines between <!-- client-install:begin --> and <!-- client-install:end -->): configure
# a fresh build, build the two library targets only, install the "client" component, build
# client/examples out of tree with find_package(basalt) and sync.cpp with pkg-config, and run the
# programs. Two things differ from a reader's shell, nothing in the commands: /usr/local becomes a
# temporary prefix and 6379 the port of a live basalt-server; and the commands run in a scratch
# directory whose entries link to the source tree's (so "." is the source, "build" is new).
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DSERVER_BIN=... -P installed_package_test.cmake
cmake_minimum_required(VERSION 3.25)
set(work ${BUILD_DIR}/installed_package_test)
file(REMOVE_RECURSE ${work})
set(prefix ${work}/prefix)
set(tree ${work}/tree)
file(MAKE_DIRECTORY ${tree})

file(GLOB entries RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/* ${SOURCE_DIR}/.*)
foreach(entry ${entries})
  if(NOT entry MATCHES "^(\\.|\\.\\.|build.*|\\.git|\\.cache|sync)$")
    file(CREATE_LINK ${SOURCE_DIR}/${entry} ${tree}/${entry} SYMBOLIC)
  endif()
endforeach()

# The README's commands: fenced shell lines between the markers, comments dropped.
file(READ ${SOURCE_DIR}/README.md readme)
string(FIND "${readme}" "<!-- client-install:begin -->" begin)
string(FIND "${readme}" "<!-- client-install:end -->" end)
if(begin EQUAL -1 OR end EQUAL -1)
  message(FATAL_ERROR "README.md has no client-install section")
endif()
math(EXPR length "${end} - ${begin}")
string(SUBSTRING "${readme}" ${begin} ${length} section)
string(REPLACE ";" "\\;" section "${section}")
string(REPLACE "\n" ";" lines "${section}")
set(commands "")
set(in_shell OFF)
foreach(line IN LISTS lines)
  if(line MATCHES "^```sh")
    set(in_shell ON)
  elseif(line MATCHES "^```")
    set(in_shell OFF)
  elseif(in_shell)
    string(REGEX REPLACE "[ ]+#.*$" "" line "${line}")
    if(NOT line STREQUAL "")
      list(APPEND commands "${line}")
    endif()
  endif()
endforeach()
list(LENGTH commands count)
if(count LESS 7)
  message(FATAL_ERROR "README.md's client-install section has ${count} commands:\n${commands}")
endif()

# A live server on a free port.
string(RANDOM LENGTH 4 ALPHABET 0123456789 r)
math(EXPR port "20000 + ${r} % 20000")
execute_process(COMMAND sh -c "${SERVER_BIN} --port ${port} --http-port 0 --admin-port 0 --loglevel warning --save '' >/dev/null 2>&1 & echo $!"
                OUTPUT_VARIABLE pid OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND bash -c "for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/${port}) 2>/dev/null && exit 0; sleep 0.05; done; exit 1"
                RESULT_VARIABLE up)

set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
set(failure "")
if(NOT up EQUAL 0)
  set(failure "basalt-server did not start on port ${port}")
endif()
foreach(command IN LISTS commands)
  if(failure)
    break()
  endif()
  string(REPLACE "/usr/local" "${prefix}" command "${command}")
  string(REPLACE "6379" "${port}" command "${command}")
  message(STATUS "$ ${command}")
  execute_process(COMMAND sh -c "${command}" WORKING_DIRECTORY ${tree} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 600)
  if(NOT rc EQUAL 0)
    set(failure "failed (${rc}): ${command}\n${out}\n${err}")
  elseif(command MATCHES "127\\.0\\.0\\.1 ${port}$" AND NOT out MATCHES "ok\n$")
    set(failure "${command} did not print ok:\n${out}\n${err}")
  endif()
endforeach()
execute_process(COMMAND kill ${pid})
if(failure)
  message(FATAL_ERROR "${failure}")
endif()

# The component holds the library and nothing of the server's.
foreach(f include/basalt/client.hpp include/basalt/async_client.hpp include/basalt/pool.hpp
          include/basalt/protocol/reply.hpp lib/libbasalt_client.a lib/libbasalt_client.so
          lib/cmake/basalt/basaltConfig.cmake lib/pkgconfig/basalt.pc)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
if(EXISTS ${prefix}/bin)
  file(GLOB extra ${prefix}/bin/*)
  message(FATAL_ERROR "the client component installed programs: ${extra}")
endif()
# The pkg-config program really uses the shared library, found through its rpath.
execute_process(COMMAND sh -c "ldd ${tree}/sync" OUTPUT_VARIABLE ldd)
if(NOT ldd MATCHES "libbasalt_client\\.so[^\n]*=> ${prefix}/lib/")
  message(FATAL_ERROR "${tree}/sync does not load ${prefix}/lib/libbasalt_client.so:\n${ldd}")
endif()
message(STATUS "${count} README commands: ok")
