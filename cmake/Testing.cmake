# annot_gtest_target(): what every gtest executable shares, after its sources and libraries are set.
# Test code is compiled at -Og with line tables only: it spends its time in the code under test (built
# with the build type's flags, in its own libraries), and full debug info at -O2 was half of the test
# binaries' compile time, the largest part of a clean build. Debug builds keep their flags.
# Extra arguments go to gtest_discover_tests.
include_guard(GLOBAL)
include(GoogleTest)
function(annot_gtest_target target)
  target_compile_options(${target} PRIVATE "$<$<NOT:$<CONFIG:Debug>>:-Og;-g1>")
  annot_target_warnings(${target})
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 ${ARGN})
endfunction()
