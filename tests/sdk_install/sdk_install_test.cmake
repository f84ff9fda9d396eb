# Driver of the sdk_install test (cmake -P): install, build the example against the install, load it.
foreach(var BUILD_DIR EXAMPLE_DIR WORK_DIR CHECK GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "sdk_install_test.cmake needs -D${var}=...")
  endif()
endforeach()

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${ARGN}\n--- stdout\n${out}\n--- stderr\n${err}")
  endif()
  message(STATUS "${what}: ok")
endfunction()

set(prefix "${WORK_DIR}/prefix")
set(hello_build "${WORK_DIR}/hello-build")
set(plugins "${WORK_DIR}/plugins")
file(REMOVE_RECURSE "${WORK_DIR}")

run("install" ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
foreach(header plugin.h registrar.hpp exporter.hpp starter.hpp version.h)
  if(NOT EXISTS "${prefix}/include/annot/${header}")
    message(FATAL_ERROR "the install has no SDK header ${header} under ${prefix}/include/annot")
  endif()
endforeach()
file(GLOB_RECURSE config "${prefix}/*/annotConfig.cmake")
if(NOT config)
  message(FATAL_ERROR "the install has no annotConfig.cmake under ${prefix}")
endif()

# Only the install may provide the SDK: no package registry, no source tree.
if(NOT BUILD_TYPE)
  set(BUILD_TYPE RelWithDebInfo)
endif()
run("configure hello" ${CMAKE_COMMAND} -G "${GENERATOR}" -S "${EXAMPLE_DIR}" -B "${hello_build}"
  "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
  -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)
run("build hello" ${CMAKE_COMMAND} --build "${hello_build}")
file(READ "${hello_build}/compile_commands.json" commands)
string(FIND "${commands}" "${prefix}/include" uses_install)
if(uses_install EQUAL -1)
  message(FATAL_ERROR "hello was not compiled against the installed headers in ${prefix}/include:\n${commands}")
endif()

if(NOT EXISTS "${hello_build}/plugins/hello/annot_hello.so" OR NOT EXISTS "${hello_build}/plugins/hello/ui/index.js")
  message(FATAL_ERROR "the example did not produce plugins/hello/{annot_hello.so,ui/index.js} in ${hello_build}")
endif()
file(COPY "${hello_build}/plugins/hello" DESTINATION "${plugins}")

run("load and serve hello" ${CMAKE_COMMAND} -E env "ANNOT_SDK_INSTALL_PLUGINS_DIR=${plugins}" "${CHECK}")

# The installed host says the same: `annot plugins --json` lists hello and refuses nothing.
execute_process(COMMAND "${prefix}/bin/annot" plugins --json --strict-plugins --plugins-dir "${plugins}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE listing ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the installed annot refused the plugins in ${plugins} (${rc}):\n${listing}\n${err}")
endif()
string(JSON loaded_name ERROR_VARIABLE json_error GET "${listing}" plugins 0 name)
string(JSON module ERROR_VARIABLE json_error GET "${listing}" plugins 0 ui module)
string(JSON refused ERROR_VARIABLE json_error LENGTH "${listing}" refused)
if(NOT loaded_name STREQUAL "hello" OR NOT module STREQUAL "/plugins/hello/index.js" OR NOT refused EQUAL 0)
  message(FATAL_ERROR "annot plugins --json did not list hello alone (${json_error}):\n${listing}")
endif()
message(STATUS "installed annot lists hello: ok")
file(REMOVE_RECURSE "${WORK_DIR}")
