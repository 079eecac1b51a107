# ASan + UBSan for the whole native tree (build/asan, scripts/sanitize.sh), and the coverage
# instrumentation libFuzzer needs when the fuzz targets are built in the same tree (fuzz.cmake).
# Included by the root CMakeLists.txt when ATTRKIT_SANITIZE or ATTRKIT_FUZZ is ON, before any
# target is defined, so the core, the server library and both GoogleTest suites are all built
# sanitized. Needs clang (libFuzzer ships with clang's runtime: Debian's libclang-rt-14-dev).
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "ATTRKIT_SANITIZE/ATTRKIT_FUZZ need clang: -DCMAKE_CXX_COMPILER=clang++")
endif()

# Build type "Sanitize": optimised enough that fuzzing is fast, assert() kept, stack traces with
# file:line (line tables only: full -g on nlohmann's templates doubles compile time).
# (sanitize_build_cost.cmake lowers the code only the GoogleTest suites use to -O0.)
set(CMAKE_CXX_FLAGS_SANITIZE "-O1 -gline-tables-only -fno-omit-frame-pointer")

# Every UBSan finding aborts (no recovery), so a run that prints one fails.
add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
add_link_options(-fsanitize=address,undefined)
if(ATTRKIT_FUZZ)
  # Coverage counters and comparison hooks in every object; the fuzz targets link libFuzzer
  # itself. The GoogleTest binaries of the same tree link fine without it (the sanitizer runtime
  # has default hooks).
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
