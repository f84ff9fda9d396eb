# annot_add_plugin(): build an Annot plugin from a few lines of CMake.
#
#   annot_add_plugin(NAME hello KIND data_type SOURCES hello_plugin.cpp [UI_DIR ui] [LINK libs...])
#
# Produces, from one compilation of the sources:
#   annot_plugin_<name>_static  a static library, for tests and fuzzers that link the plugin directly
#   annot_<name>                the loadable module, written to <ANNOT_PLUGIN_OUTPUT_DIR>/<name>/annot_<name>.so
# and copies UI_DIR (default: ui/ when it exists) to <ANNOT_PLUGIN_OUTPUT_DIR>/<name>/ui.
# Installs the module and its ui/ under ${ANNOT_PLUGIN_INSTALL_DIR}/<name> unless NO_INSTALL is given.
include_guard(GLOBAL)

if(NOT DEFINED ANNOT_PLUGIN_OUTPUT_DIR)
  set(ANNOT_PLUGIN_OUTPUT_DIR "${CMAKE_BINARY_DIR}/plugins")
endif()
if(NOT DEFINED ANNOT_PLUGIN_INSTALL_DIR)
  set(ANNOT_PLUGIN_INSTALL_DIR "lib/annot/plugins")
endif()

# annot_static_cxx_runtime(<target>): links the C++ library (libstdc++) into <target> statically when
# ANNOT_STATIC_CXX_RUNTIME is ON (the default, also for plugins built against an installed SDK). A
# process whose executable and modules all do so never loads libstdc++.so: loading it and running its
# iostreams start-up cost ~2 ms of every `annot` command here (bench/export/README.md, session 47).
# Each module keeps a private copy, its symbols local like the rest of the module's (the version
# script below), which is safe because nothing of the runtime crosses the plugin boundary: the SDK
# hands over plain values and interfaces, no exceptions, type_info or error categories, and memory a
# copy's operator new took is malloc's, which any copy's operator delete gives back. A module built
# with the shared runtime loads beside these as before. Sanitizer builds turn it off: their runtimes
# replace operator new and delete in the one shared library only.
if(NOT DEFINED ANNOT_STATIC_CXX_RUNTIME)
  set(ANNOT_STATIC_CXX_RUNTIME ON)
endif()
function(annot_static_cxx_runtime target)
  if(ANNOT_STATIC_CXX_RUNTIME AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang" AND NOT APPLE)
    target_link_options(${target} PRIVATE -static-libstdc++)
  endif()
endfunction()

function(annot_add_plugin)
  cmake_parse_arguments(P "NO_INSTALL" "NAME;KIND;UI_DIR;OUTPUT_DIR" "SOURCES;LINK" ${ARGN})
  if(NOT P_NAME OR NOT P_SOURCES)
    message(FATAL_ERROR "annot_add_plugin: NAME and SOURCES are required")
  endif()
  if(NOT P_NAME MATCHES "^[a-z0-9_]+$")
    message(FATAL_ERROR "annot_add_plugin: NAME '${P_NAME}' must match [a-z0-9_]+")
  endif()
  if(P_KIND AND NOT P_KIND MATCHES "^(data_type|exporter|storage)$")
    message(FATAL_ERROR "annot_add_plugin: KIND must be data_type, exporter or storage")
  endif()
  if(NOT P_OUTPUT_DIR)
    set(P_OUTPUT_DIR "${ANNOT_PLUGIN_OUTPUT_DIR}")
  endif()
  set(out "${P_OUTPUT_DIR}/${P_NAME}")

  set(objects annot_plugin_${P_NAME}_objects)
  add_library(${objects} OBJECT ${P_SOURCES})
  set_target_properties(${objects} PROPERTIES POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  target_link_libraries(${objects} PUBLIC annot::sdk ${P_LINK})
  if(COMMAND annot_target_warnings)
    annot_target_warnings(${objects})
  endif()

  add_library(annot_plugin_${P_NAME}_static STATIC $<TARGET_OBJECTS:${objects}>)
  target_link_libraries(annot_plugin_${P_NAME}_static PUBLIC annot::sdk ${P_LINK})

  add_library(annot_${P_NAME} MODULE $<TARGET_OBJECTS:${objects}>)
  target_link_libraries(annot_${P_NAME} PRIVATE annot::sdk ${P_LINK})
  set_target_properties(annot_${P_NAME} PROPERTIES PREFIX "" OUTPUT_NAME "annot_${P_NAME}"
    LIBRARY_OUTPUT_DIRECTORY "${out}")
  annot_static_cxx_runtime(annot_${P_NAME})
  if(NOT APPLE)
    target_link_options(annot_${P_NAME} PRIVATE "LINKER:--no-undefined")
    # The entry symbol is the module's only export. The C++ library's template instances (std::
    # keeps default visibility) would otherwise be exported too, each reference to them a symbol
    # lookup through every loaded library when the module loads; local, they bind at link time.
    set(version_script "${CMAKE_CURRENT_BINARY_DIR}/annot_${P_NAME}.map")
    file(CONFIGURE OUTPUT "${version_script}"
      CONTENT "{ global: annot_plugin_${P_NAME}_entry; local: *; };\n")
    target_link_options(annot_${P_NAME} PRIVATE "LINKER:--version-script=${version_script}")
    set_property(TARGET annot_${P_NAME} APPEND PROPERTY LINK_DEPENDS "${version_script}")
  endif()

  if(NOT P_UI_DIR AND EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/ui")
    set(P_UI_DIR ui)
  endif()
  if(P_UI_DIR)
    get_filename_component(ui_src "${P_UI_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    file(GLOB_RECURSE ui_files CONFIGURE_DEPENDS "${ui_src}/*")
    set(stamp "${CMAKE_CURRENT_BINARY_DIR}/annot_${P_NAME}_ui.stamp")
    add_custom_command(OUTPUT "${stamp}"
      COMMAND ${CMAKE_COMMAND} -E rm -rf "${out}/ui"
      COMMAND ${CMAKE_COMMAND} -E copy_directory "${ui_src}" "${out}/ui"
      COMMAND ${CMAKE_COMMAND} -E touch "${stamp}"
      DEPENDS ${ui_files} COMMENT "Copying UI of plugin ${P_NAME}")
    add_custom_target(annot_${P_NAME}_ui DEPENDS "${stamp}")
    add_dependencies(annot_${P_NAME} annot_${P_NAME}_ui)
  endif()

  if(NOT P_NO_INSTALL)
    # The default bundle: every installed plugin; tests that load the bundle depend on it.
    set_property(GLOBAL APPEND PROPERTY ANNOT_BUNDLE_PLUGINS annot_${P_NAME})
    install(TARGETS annot_${P_NAME} LIBRARY DESTINATION "${ANNOT_PLUGIN_INSTALL_DIR}/${P_NAME}")
    if(P_UI_DIR)
      install(DIRECTORY "${ui_src}/" DESTINATION "${ANNOT_PLUGIN_INSTALL_DIR}/${P_NAME}/ui")
    endif()
  endif()
endfunction()
