# simdjson, compiled into each binary that uses it, from Debian's own source release of the version
# bookworm ships (libsimdjson-dev 3.0.1). Debian ships simdjson only as a shared library, and
# libsimdjson.so needs libstdc++.so: with it, a process whose C++ runtime is static (see
# annot_static_cxx_runtime in AnnotPlugin.cmake) would still load libstdc++.so and run its start-up
# (~2 ms of every `annot` command here). The tarball is checked against the SHA-256 that Debian's
# signed simdjson_3.0.1-1.dsc gives; a build tree downloads it once.
set(ANNOT_SIMDJSON_VERSION 3.0.1)
set(ANNOT_SIMDJSON_SHA256 156b1bc5eb0561b2bd166b46d191fd3d95a3e709cc63761477d3b7aec2b6e9ed)
set(ANNOT_SIMDJSON_TARBALL ""
  CACHE FILEPATH "simdjson_${ANNOT_SIMDJSON_VERSION}.orig.tar.gz already on this machine (default: download it)")

set(_simdjson_dir "${CMAKE_BINARY_DIR}/_deps/simdjson-${ANNOT_SIMDJSON_VERSION}")
if(NOT EXISTS "${_simdjson_dir}/singleheader/simdjson.cpp")
  set(_tarball "${ANNOT_SIMDJSON_TARBALL}")
  if(NOT _tarball)
    set(_tarball "${CMAKE_BINARY_DIR}/_deps/simdjson_${ANNOT_SIMDJSON_VERSION}.orig.tar.gz")
    set(_url "https://deb.debian.org/debian/pool/main/s/simdjson/simdjson_${ANNOT_SIMDJSON_VERSION}.orig.tar.gz")
    message(STATUS "Downloading simdjson ${ANNOT_SIMDJSON_VERSION} from ${_url}")
    file(DOWNLOAD "${_url}" "${_tarball}" EXPECTED_HASH SHA256=${ANNOT_SIMDJSON_SHA256} TLS_VERIFY ON
      STATUS _status)
    list(GET _status 0 _code)
    if(NOT _code EQUAL 0)
      list(GET _status 1 _why)
      file(REMOVE "${_tarball}")
      message(FATAL_ERROR "Could not download ${_url}: ${_why}. Download it by hand and pass "
        "-DANNOT_SIMDJSON_TARBALL=/path/to/simdjson_${ANNOT_SIMDJSON_VERSION}.orig.tar.gz")
    endif()
  else()
    file(SHA256 "${_tarball}" _sum)
    if(NOT _sum STREQUAL ANNOT_SIMDJSON_SHA256)
      message(FATAL_ERROR "${_tarball} is not simdjson ${ANNOT_SIMDJSON_VERSION}'s release: its SHA-256 is ${_sum}, "
        "Debian's is ${ANNOT_SIMDJSON_SHA256}")
    endif()
  endif()
  file(ARCHIVE_EXTRACT INPUT "${_tarball}" DESTINATION "${CMAKE_BINARY_DIR}/_deps"
    PATTERNS "simdjson-${ANNOT_SIMDJSON_VERSION}/singleheader/simdjson.*")
endif()

# Position-independent, for the plugin modules; hidden, so that each module's copy stays its own.
add_library(annot_simdjson STATIC "${_simdjson_dir}/singleheader/simdjson.cpp")
target_include_directories(annot_simdjson SYSTEM PUBLIC "${_simdjson_dir}/singleheader")
set_target_properties(annot_simdjson PROPERTIES POSITION_INDEPENDENT_CODE ON CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON)
add_library(simdjson::simdjson ALIAS annot_simdjson)
