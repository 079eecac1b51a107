# Keeps the cold build of build/asan cheap: npm test builds it from scratch on a fresh clone (CI).
# Included by the root CMakeLists.txt after every target is defined (sanitize.cmake comes before).
# - Each source parses nlohmann/json (and GoogleTest) again: one precompiled header per target
#   saves that; the fuzz targets reuse the one of their support library.
# - Code that only serves the sanitized GoogleTest suites (the server library, the test files) is
#   built at -O0, where clang compiles it in about half the time; the core and the fuzz targets
#   stay at -O1 (the build type's flags), where fuzzing is fast.
# Measured in docs/fuzzing.md ("Cost in npm test").
set(ATTRKIT_PCH_JSON <nlohmann/json.hpp> <map> <string> <vector>)
target_precompile_headers(attrkit_core PRIVATE ${ATTRKIT_PCH_JSON})
foreach(t attrkit_core_tests attrkit_server_tests)
  if(TARGET ${t})
    target_precompile_headers(${t} PRIVATE ${ATTRKIT_PCH_JSON} <gtest/gtest.h>)
    target_compile_options(${t} PRIVATE -O0)
  endif()
endforeach()
if(TARGET attrkit_server_lib)
  target_precompile_headers(attrkit_server_lib PRIVATE ${ATTRKIT_PCH_JSON})
  target_compile_options(attrkit_server_lib PRIVATE -O0)
endif()
if(TARGET attrkit_fuzz_support)
  target_precompile_headers(attrkit_fuzz_support PRIVATE ${ATTRKIT_PCH_JSON})
  foreach(src ${ATTRKIT_FUZZ_SOURCES})
    get_filename_component(name ${src} NAME_WE)
    target_precompile_headers(${name} REUSE_FROM attrkit_fuzz_support)
  endforeach()
endif()
