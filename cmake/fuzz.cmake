# libFuzzer targets (fuzz/*.cpp, one executable each: build/asan/fuzz/fuzz_<name>), built with
# ASan + UBSan (sanitize.cmake). Included by the root CMakeLists.txt when ATTRKIT_FUZZ is ON;
# scripts/fuzz.sh builds and runs them, docs/fuzzing.md says how.
file(GLOB ATTRKIT_FUZZ_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fuzz/fuzz_*.cpp)
# Helpers shared by the targets (fuzz/support.*, fuzz/engine_adapter.*): not targets themselves.
file(GLOB ATTRKIT_FUZZ_SUPPORT CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fuzz/support*.cpp
     ${CMAKE_SOURCE_DIR}/fuzz/engine_adapter*.cpp)
add_library(attrkit_fuzz_support STATIC ${ATTRKIT_FUZZ_SUPPORT})
target_link_libraries(attrkit_fuzz_support PUBLIC attrkit_core)

add_custom_target(attrkit_fuzzers)
foreach(src ${ATTRKIT_FUZZ_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  target_link_libraries(${name} PRIVATE attrkit_fuzz_support)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_compile_options(${name} PRIVATE -Wall -Wextra)
  add_dependencies(attrkit_fuzzers ${name})
endforeach()
# The request-body target compiles the two server files it needs, not the whole server library.
if(TARGET fuzz_json_body)
  target_sources(fuzz_json_body PRIVATE
    ${CMAKE_SOURCE_DIR}/server/json_body.cpp ${CMAKE_SOURCE_DIR}/server/random_id.cpp)
endif()
