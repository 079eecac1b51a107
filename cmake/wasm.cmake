# The WebAssembly module (included by the root CMakeLists.txt under emcmake).
#
#   ATTRKIT_CORE_SOURCES + bindings/*.cpp
#     -> dist/attrkit-core.mjs        ES module, default export = factory (target attrkit_core_wasm)
#     -> dist/attrkit-core.wasm       the one .wasm both flavours load
#     -> dist/attrkit-core.script.js  classic-script flavour of the same glue, defines the global
#                                     factory `attrkitCore` (target attrkit_core_wasm_script)
#
# The sources are compiled once (object library) and linked twice. Every flag is written once,
# below; docs/wasm.md and bench/README.md say why each is there and what it saves.

file(GLOB ATTRKIT_BINDINGS_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/bindings/*.cpp)
# bindings/testing.cpp: bindings only the tests use, kept out of the shipped module (below).
list(FILTER ATTRKIT_BINDINGS_SOURCES EXCLUDE REGEX "/bindings/testing\\.cpp$")
set(ATTRKIT_WASM_DIST ${CMAKE_BINARY_DIR}/dist)

# ---- compile ------------------------------------------------------------------------------
add_library(attrkit_core_wasm_objects OBJECT ${ATTRKIT_CORE_SOURCES} ${ATTRKIT_BINDINGS_SOURCES})
add_library(attrkit_wasm_testing_objects OBJECT ${CMAKE_SOURCE_DIR}/bindings/testing.cpp)
foreach(objects attrkit_core_wasm_objects attrkit_wasm_testing_objects)
target_include_directories(${objects} PRIVATE ${CMAKE_SOURCE_DIR})
target_compile_definitions(${objects} PRIVATE
  JSON_NOEXCEPTION  # nlohmann aborts instead of throwing: core code never calls a throwing accessor
  NDEBUG            # whatever the build type: assert() text and __assert_fail cost bytes
  # Embind type ids are the addresses of one char per type, not std::type_info objects; must be
  # the same in every binding (bindings/embind_types.cpp registers the types under these ids).
  EMSCRIPTEN_HAS_UNBOUND_TYPE_NAMES=0
  # core/number_text.cpp's number_to_text asks the browser's String(x) (bindings/number_text.js)
  # instead of carrying its shortest-digits code: -1.1 KB brotli, the same bytes by definition.
  ATTRKIT_HOST_NUMBER_TEXT)
target_compile_options(${objects} PRIVATE
  -Oz               # smallest code; after CMAKE_CXX_FLAGS_<CONFIG>, so it wins over -O2/-Os
  -flto             # whole-program inlining and dead-code removal at link time
  -fno-exceptions   # the core returns Result<T>; no unwinding tables, no EH runtime
  # nlohmann_json lives in /usr/include, which must be searched AFTER the Emscripten sysroot
  # (-I would put glibc's headers ahead of musl's).
  "SHELL:-idirafter /usr/include")
endforeach()

# ---- link ---------------------------------------------------------------------------------
set(ATTRKIT_WASM_LINK_FLAGS
  -Oz -flto -fno-exceptions
  # Embind's JS, without --bind: --bind links libembind.a whole (its bind.cpp registers every
  # builtin type: wstring, u16/u32string, memory_views...); bindings/embind_types.cpp registers
  # only the types the bindings use. malloc/free: what --bind would export for embind's JS.
  --js-library=${EMSCRIPTEN_ROOT_PATH}/src/embind/embind.js
  --js-library=${EMSCRIPTEN_ROOT_PATH}/src/embind/emval.js
  "-sEXPORTED_FUNCTIONS=[_malloc,_free]"
  --js-library=${CMAKE_SOURCE_DIR}/bindings/convert.js      # the JS half of bindings/convert.cpp
  --js-library=${CMAKE_SOURCE_DIR}/bindings/number_text.js  # number_to_text (above)
  --no-entry                  # a library: no main()
  -sMODULARIZE                # a factory returning a Promise of the module, not a global Module
  -sENVIRONMENT=web           # no Node code paths: 3.1.6 emits __dirname for node in an ES module;
                              # js/src/core.js gives Node the bytes (wasmBinary) instead
  -sDYNAMIC_EXECUTION=0       # no eval/new Function: runs under a strict CSP (DESIGN §6)
  -sFILESYSTEM=0              # no MEMFS/FS JS
  -sALLOW_MEMORY_GROWTH       # start small, grow with the outbox
  -sINITIAL_MEMORY=256kb      # 4 pages: static data + stack + a first heap
  -sTOTAL_STACK=64kb          # deepest recursion is the converter's, capped at kMaxDepth=32
  -sMALLOC=none               # bindings/heap.cpp: 0.6 KB brotli smaller than emmalloc, which is
                              # 1.7 KB smaller than dlmalloc; allocation is not hot here
  # A second -Oz round after the first: -0.14 KB brotli, only link time spent.
  -sBINARYEN_EXTRA_PASSES=-Oz
  -sTEXTDECODER=2             # always TextDecoder (every target browser has it): no JS fallback
  -sSUPPORT_ERRNO=0           # nothing reads errno from JS
  # Only what js/src/core.js passes; every other Module.* hook is compiled out of the glue.
  "-sINCOMING_MODULE_JS_API=[wasmBinary,instantiateWasm]"
  # No -sASSERTIONS (0 at -Oz). RTTI stays on but nothing uses it: with the type ids above there is
  # no std::type_info object, so -fno-rtti changes no byte (measured, bench/README.md).
)

# For measurements only, e.g. -DATTRKIT_WASM_EXTRA_LINK_FLAGS=--profiling-funcs (bench/README.md).
set(ATTRKIT_WASM_EXTRA_LINK_FLAGS "" CACHE STRING "extra emcc link flags (measurements)")
separate_arguments(extra_link_flags UNIX_COMMAND "${ATTRKIT_WASM_EXTRA_LINK_FLAGS}")
list(APPEND ATTRKIT_WASM_LINK_FLAGS ${extra_link_flags})

# Closure (ADVANCED) minifies the glue to ~2/3 of its brotli size. Debian's emcc has no Closure;
# the npm package google-closure-compiler (a devDependency, native binary inside) provides it.
# Without it the build still works, with a larger glue. Re-checked when npm installs something.
# Either way node_modules must be installed before the first configure (scripts/test.sh does).
foreach(f package.json node_modules/.package-lock.json)  # npm writes the latter on every install
  if(EXISTS ${CMAKE_SOURCE_DIR}/${f})
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/${f})
  endif()
endforeach()
if(NOT DEFINED ATTRKIT_CLOSURE)  # -DATTRKIT_CLOSURE=/path overrides, -DATTRKIT_CLOSURE= disables
  set(ATTRKIT_CLOSURE ${CMAKE_SOURCE_DIR}/node_modules/.bin/google-closure-compiler)
endif()
set(ATTRKIT_LINK_ENV NODE_PATH=/usr/share/nodejs)  # emcc's JS optimizer needs Debian's acorn
if(ATTRKIT_CLOSURE AND EXISTS ${ATTRKIT_CLOSURE})
  message(STATUS "attrkit: Closure Compiler for the Wasm glue: ${ATTRKIT_CLOSURE}")
  list(APPEND ATTRKIT_WASM_LINK_FLAGS "SHELL:--closure 1"
    # Closure otherwise emits ES2021 (`a ||= b`); ES2017 costs nothing and runs on Safari 11+.
    "--closure-args=--language_out=ECMASCRIPT_2017")
  list(APPEND ATTRKIT_LINK_ENV EM_CLOSURE_COMPILER=${ATTRKIT_CLOSURE})
  set(ATTRKIT_GLUE_MINIFY "")
elseif(EXISTS ${CMAKE_SOURCE_DIR}/node_modules/.bin/esbuild)
  # Fallback: esbuild (a devDependency of the JS SDK) minifies the emitted glue, ~75% of what
  # Closure saves. es2020 keeps import.meta (es2017 would empty it) and adds nothing newer.
  message(STATUS "attrkit: no Closure Compiler (npm google-closure-compiler): glue minified by esbuild")
  set(ATTRKIT_GLUE_MINIFY ${CMAKE_SOURCE_DIR}/node_modules/.bin/esbuild
      --minify --target=es2020 --log-level=warning --allow-overwrite)
else()
  message(STATUS "attrkit: neither Closure Compiler nor esbuild in node_modules: glue not minified")
  set(ATTRKIT_GLUE_MINIFY "")
endif()
# The link step runs emcc, which needs the environment above whoever invokes cmake --build.
string(JOIN " " ATTRKIT_LINK_ENV ${ATTRKIT_LINK_ENV})
set_property(DIRECTORY PROPERTY RULE_LAUNCH_LINK "${CMAKE_COMMAND} -E env ${ATTRKIT_LINK_ENV}")

function(attrkit_wasm_module target output_name suffix)
  add_executable(${target} $<TARGET_OBJECTS:attrkit_core_wasm_objects>)
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME ${output_name} SUFFIX ${suffix}
    RUNTIME_OUTPUT_DIRECTORY ${ARGN})
  target_link_options(${target} PRIVATE ${ATTRKIT_WASM_LINK_FLAGS})
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS
    ${CMAKE_SOURCE_DIR}/bindings/convert.js ${CMAKE_SOURCE_DIR}/bindings/number_text.js)
endfunction()

# ES module: `import factory from "./attrkit-core.mjs"` (js/src/core.js).
# -sUSE_ES6_IMPORT_META=0: without it the glue names its default file as
# new URL("attrkit-core.wasm", import.meta.url), which webpack, Vite and Parcel follow and fail on
# (the npm package ships the file under its hashed name, and the loader always hands the glue the
# bytes or an instantiate hook). The npm entry (js/src/index.js) holds the one reference bundlers
# must follow; js/build.mjs fails if the bundle has another.
attrkit_wasm_module(attrkit_core_wasm attrkit-core .mjs ${ATTRKIT_WASM_DIST})
target_link_options(attrkit_core_wasm PRIVATE -sEXPORT_ES6 -sUSE_ES6_IMPORT_META=0)
if(ATTRKIT_GLUE_MINIFY)
  add_custom_command(TARGET attrkit_core_wasm POST_BUILD
    COMMAND ${ATTRKIT_GLUE_MINIFY} ${ATTRKIT_WASM_DIST}/attrkit-core.mjs
            --outfile=${ATTRKIT_WASM_DIST}/attrkit-core.mjs
    VERBATIM)
endif()

# Classic script: no import.meta, no `export`; defines `var attrkitCore` (for the IIFE build to
# wrap). Linked into its own folder so that only its .js lands in dist: it loads the same
# dist/attrkit-core.wasm, and the build fails if the two links ever produce different .wasm.
attrkit_wasm_module(attrkit_core_wasm_script attrkit-core.script .js ${CMAKE_BINARY_DIR}/script)
target_link_options(attrkit_core_wasm_script PRIVATE -sEXPORT_NAME=attrkitCore)
add_dependencies(attrkit_core_wasm_script attrkit_core_wasm)  # serial links: the compare below
add_custom_command(TARGET attrkit_core_wasm_script POST_BUILD
  COMMAND ${CMAKE_COMMAND} -E compare_files
          ${CMAKE_BINARY_DIR}/script/attrkit-core.script.wasm ${ATTRKIT_WASM_DIST}/attrkit-core.wasm
  COMMAND ${CMAKE_COMMAND} -E copy
          ${CMAKE_BINARY_DIR}/script/attrkit-core.script.js ${ATTRKIT_WASM_DIST}/
  COMMENT "attrkit: dist/attrkit-core.script.js (same .wasm as the ES module)"
  VERBATIM)
if(ATTRKIT_GLUE_MINIFY)
  add_custom_command(TARGET attrkit_core_wasm_script POST_BUILD
    COMMAND ${ATTRKIT_GLUE_MINIFY} ${ATTRKIT_WASM_DIST}/attrkit-core.script.js
            --outfile=${ATTRKIT_WASM_DIST}/attrkit-core.script.js
    VERBATIM)
endif()

# ---- no-Wasm fallback (DESIGN §9; docs/wasm.md "The no-Wasm fallback") ---------------------
# The same objects linked a third time with -sWASM=0: Binaryen's wasm2js turns the module into
# JavaScript, so the core runs where WebAssembly cannot (Safari's Lockdown Mode, a CSP without
# 'wasm-unsafe-eval', old WebViews). An ES module like attrkit-core.mjs, with the memory image
# inside: one file, no .wasm. The loader fetches it only when WebAssembly cannot be used. Not part
# of the shipped budget (bench/size.mjs reports it apart). Minified by esbuild, not Closure:
# Closure over ~1 MB of wasm2js output costs minutes of link time for a file most pages never load.
set(ATTRKIT_FALLBACK_LINK_FLAGS ${ATTRKIT_WASM_LINK_FLAGS})
list(REMOVE_ITEM ATTRKIT_FALLBACK_LINK_FLAGS "SHELL:--closure 1" "--closure-args=--language_out=ECMASCRIPT_2017")
# It carries the test-only bindings too (+~1 KB on a 60 KB file few pages load), so the node
# suites run the shared fixtures on it (tests/js/core_fallback.test.mjs).
add_executable(attrkit_core_fallback $<TARGET_OBJECTS:attrkit_core_wasm_objects>
  $<TARGET_OBJECTS:attrkit_wasm_testing_objects>)
set_target_properties(attrkit_core_fallback PROPERTIES
  OUTPUT_NAME attrkit-core.fallback SUFFIX .mjs RUNTIME_OUTPUT_DIRECTORY ${ATTRKIT_WASM_DIST})
target_link_options(attrkit_core_fallback PRIVATE ${ATTRKIT_FALLBACK_LINK_FLAGS}
  -sWASM=0 -sEXPORT_ES6 -sUSE_ES6_IMPORT_META=0
  # The static data inside the file (not a .mem beside it, which would be one more fetch and one
  # more file to hash and serve).
  "SHELL:--memory-init-file 0")
set_property(TARGET attrkit_core_fallback APPEND PROPERTY LINK_DEPENDS
  ${CMAKE_SOURCE_DIR}/bindings/convert.js ${CMAKE_SOURCE_DIR}/bindings/number_text.js)
add_dependencies(attrkit_core_fallback attrkit_core_wasm_script)  # serial links (2 cores)
if(EXISTS ${CMAKE_SOURCE_DIR}/node_modules/.bin/esbuild)
  add_custom_command(TARGET attrkit_core_fallback POST_BUILD
    COMMAND ${CMAKE_SOURCE_DIR}/node_modules/.bin/esbuild ${ATTRKIT_WASM_DIST}/attrkit-core.fallback.mjs
            --minify --target=es2020 --log-level=warning --allow-overwrite
            --outfile=${ATTRKIT_WASM_DIST}/attrkit-core.fallback.mjs
    VERBATIM)
endif()

# ---- the module the node suites load (tests/js/helpers/core.mjs loadTestCore) --------------
# The shipped objects plus bindings/testing.cpp (the grammar, configs, definitions, the
# converter's round trip, engineRestore/engineSnapshot): the same core and the same converter,
# into build/wasm/testing. Linked for link time, not size (npm test builds it on every fresh
# clone): -O1 instead of -Oz, no second -Oz round, no Closure. The shipped module itself is what
# the SDK suites, Chromium and the bundlers run.
set(ATTRKIT_TESTING_LINK_FLAGS ${ATTRKIT_FALLBACK_LINK_FLAGS})
list(TRANSFORM ATTRKIT_TESTING_LINK_FLAGS REPLACE "^-Oz$" "-O1")
list(REMOVE_ITEM ATTRKIT_TESTING_LINK_FLAGS -sBINARYEN_EXTRA_PASSES=-Oz)
add_executable(attrkit_core_wasm_testing $<TARGET_OBJECTS:attrkit_core_wasm_objects>
  $<TARGET_OBJECTS:attrkit_wasm_testing_objects>)
set_target_properties(attrkit_core_wasm_testing PROPERTIES
  OUTPUT_NAME attrkit-core.testing SUFFIX .mjs RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/testing)
target_link_options(attrkit_core_wasm_testing PRIVATE ${ATTRKIT_TESTING_LINK_FLAGS}
  -sEXPORT_ES6 -sUSE_ES6_IMPORT_META=0)
set_property(TARGET attrkit_core_wasm_testing APPEND PROPERTY LINK_DEPENDS
  ${CMAKE_SOURCE_DIR}/bindings/convert.js ${CMAKE_SOURCE_DIR}/bindings/number_text.js)
add_dependencies(attrkit_core_wasm_testing attrkit_core_fallback)  # serial links (2 cores)
