# Driver of the sdk_install test (cmake -P): install, build the examples against the install, load them.
foreach(var BUILD_DIR EXAMPLE_DIR EXPORTER_EXAMPLE_DIR WORK_DIR CHECK GENERATOR CXX_COMPILER)
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
set(jsonl_build "${WORK_DIR}/jsonl-build")
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
# The example's own default runtime (static), unless this build turned it off: a sanitizer build
# (scripts/test-sanitized.sh) replaces operator new and delete in the shared runtime only, and would
# report a static copy's allocations freed by the host as mismatched.
set(runtime_option)
if(DEFINED STATIC_CXX_RUNTIME AND NOT STATIC_CXX_RUNTIME)
  set(runtime_option -DANNOT_STATIC_CXX_RUNTIME=OFF)
endif()
run("configure hello" ${CMAKE_COMMAND} -G "${GENERATOR}" -S "${EXAMPLE_DIR}" -B "${hello_build}"
  "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
  -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON -DCMAKE_EXPORT_COMPILE_COMMANDS=ON ${runtime_option})
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

# The exporter example: built the same way, into the same plugins folder.
run("configure jsonl" ${CMAKE_COMMAND} -G "${GENERATOR}" -S "${EXPORTER_EXAMPLE_DIR}" -B "${jsonl_build}"
  "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
  -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON ${runtime_option})
run("build jsonl" ${CMAKE_COMMAND} --build "${jsonl_build}")
if(NOT EXISTS "${jsonl_build}/plugins/jsonl/annot_jsonl.so")
  message(FATAL_ERROR "the exporter example did not produce plugins/jsonl/annot_jsonl.so in ${jsonl_build}")
endif()
file(COPY "${jsonl_build}/plugins/jsonl" DESTINATION "${plugins}")
# The installed bundle's core plugin (<View> and the layout tags) beside them, as on a host: a
# project's config needs it.
if(NOT EXISTS "${prefix}/lib/annot/plugins/core/annot_core.so")
  message(FATAL_ERROR "the install has no core plugin under ${prefix}/lib/annot/plugins/core")
endif()
file(COPY "${prefix}/lib/annot/plugins/core" DESTINATION "${plugins}")

run("load core, hello and jsonl, serve hello, export through jsonl" ${CMAKE_COMMAND} -E env "ANNOT_SDK_INSTALL_PLUGINS_DIR=${plugins}" "${CHECK}")

# The installed host says the same: `annot plugins --json` lists hello and refuses nothing.
execute_process(COMMAND "${prefix}/bin/annot" plugins --json --strict-plugins --plugins-dir "${plugins}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE listing ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the installed annot refused the plugins in ${plugins} (${rc}):\n${listing}\n${err}")
endif()
string(JSON loaded ERROR_VARIABLE json_error LENGTH "${listing}" plugins)
set(names)
foreach(i RANGE 2)
  string(JSON name ERROR_VARIABLE json_error GET "${listing}" plugins ${i} name)
  list(APPEND names "${name}")
  if(name STREQUAL "hello")
    string(JSON module ERROR_VARIABLE json_error GET "${listing}" plugins ${i} ui module)
  endif()
endforeach()
list(SORT names)
string(JSON refused ERROR_VARIABLE json_error LENGTH "${listing}" refused)
if(NOT loaded EQUAL 3 OR NOT names STREQUAL "core;hello;jsonl" OR NOT module STREQUAL "/plugins/hello/index.js"
   OR NOT refused EQUAL 0)
  message(FATAL_ERROR "annot plugins --json did not list core, hello and jsonl alone (${json_error}):\n${listing}")
endif()
message(STATUS "installed annot lists core, hello and jsonl: ok")

# The C++ runtime (annot_static_cxx_runtime in AnnotPlugin.cmake): static by default, in the host and
# in a plugin built against the install, shared on request; the static host loads either kind.
function(needs_libstdcxx file out)
  execute_process(COMMAND readelf -d "${file}" RESULT_VARIABLE rc OUTPUT_VARIABLE dynamic ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "readelf -d ${file} failed (${rc}): ${err}")
  endif()
  string(FIND "${dynamic}" "[libstdc++.so" at)
  if(at EQUAL -1)
    set(${out} NO PARENT_SCOPE)
  else()
    set(${out} YES PARENT_SCOPE)
  endif()
endfunction()
if(STATIC_CXX_RUNTIME)
  foreach(file "${prefix}/bin/annot" "${hello_build}/plugins/hello/annot_hello.so")
    needs_libstdcxx("${file}" needed)
    if(needed)
      message(FATAL_ERROR "${file} needs libstdc++.so although the C++ runtime is to be static")
    endif()
  endforeach()
  set(shared_build "${WORK_DIR}/hello-shared-build")
  set(shared_plugins "${WORK_DIR}/shared-plugins")
  run("configure hello with the shared C++ runtime" ${CMAKE_COMMAND} -G "${GENERATOR}" -S "${EXAMPLE_DIR}"
    -B "${shared_build}" "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}" -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON -DANNOT_STATIC_CXX_RUNTIME=OFF)
  run("build hello with the shared C++ runtime" ${CMAKE_COMMAND} --build "${shared_build}")
  needs_libstdcxx("${shared_build}/plugins/hello/annot_hello.so" needed)
  if(NOT needed)
    message(FATAL_ERROR "hello built with ANNOT_STATIC_CXX_RUNTIME=OFF does not need libstdc++.so")
  endif()
  file(COPY "${shared_build}/plugins/hello" DESTINATION "${shared_plugins}")
  execute_process(COMMAND "${prefix}/bin/annot" plugins --json --strict-plugins --plugins-dir "${shared_plugins}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE listing ERROR_VARIABLE err)
  string(JSON loaded_name ERROR_VARIABLE json_error GET "${listing}" plugins 0 name)
  if(NOT rc EQUAL 0 OR NOT loaded_name STREQUAL "hello")
    message(FATAL_ERROR "the installed annot (static C++ runtime) did not load hello built with the shared one "
      "(${rc}, ${json_error}):\n${listing}\n${err}")
  endif()
  message(STATUS "installed annot loads hello with the shared C++ runtime: ok")
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
