# annot_target_warnings(): the project's warning set; the build stays free of them.
include_guard(GLOBAL)
function(annot_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
  if(ANNOT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
