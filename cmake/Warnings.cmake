# annot_target_warnings(): the project's warning set; the build stays free of them.
include_guard(GLOBAL)
function(annot_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
  if(ANNOT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# GCC 12 reports -Warray-bounds inside libstdc++'s char_traits when std::string is built from string
# literals at -O2 (GCC bug 105329, fixed in GCC 13), and the same inlined memcpy as
# -Wstringop-overflow/-overread: false positives in a system header that no source change can silence.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
   AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  add_compile_options(-Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread)
endif()
