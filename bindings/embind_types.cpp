// The Embind types the bindings use, registered here instead of by Embind's own bind.cpp.
//
// bind.cpp registers every builtin type (std::wstring, std::u16string, std::u32string,
// std::basic_string<unsigned char>, 64-bit integers, 19 memory_views...), which pulls their JS
// implementations into the glue and their names into the data section, and `--bind` links it
// whole. cmake/wasm.cmake therefore links Embind's JS libraries without `--bind` (libembind.a is
// not linked at all); this file registers only what the bindings use and defines the one symbol
// Embind's JS needs from bind.cpp, __getTypeName (bench/README.md has the figures).
//
// Registered: void, bool, the 32-bit-or-smaller integers, float, double, emscripten::val.
// NOT registered: std::string and every other string type, 64-bit integers, memory_view. A
// binding that passes one of those (as an argument, a return type, or val::as<T>) fails at
// run time with Embind's "unknown type" error, which the node suites would show at once: strings
// cross through bindings/convert.h (to_json / to_js), which never needs an Embind string type.
//
// Built with EMSCRIPTEN_HAS_UNBOUND_TYPE_NAMES=0 (cmake/wasm.cmake): type ids are then addresses
// of one char per type instead of std::type_info objects, which also keeps libc++abi's RTTI
// classes (and their dynamic_cast search code) out of the module.
#include <emscripten/bind.h>
#include <emscripten/em_macros.h>

#include <cstdlib>
#include <cstring>
#include <limits>

namespace {

using emscripten::internal::TypeID;

template <typename T>
void register_integer(const char* name) {
  // Embind's JS reads "unsigned" in the name to pick the unsigned conversion: keep bind.cpp's
  // names.
  emscripten::internal::_embind_register_integer(TypeID<T>::get(), name, sizeof(T),
                                                 std::numeric_limits<T>::min(),
                                                 std::numeric_limits<T>::max());
}

}  // namespace

extern "C" {

// Embind's JS calls this only to name a type in an error message (a binding used a type that is
// not registered below) and frees the result. Without RTTI there is no name to give; this one
// says where to fix it.
EMSCRIPTEN_KEEPALIVE char* __getTypeName(const void*) {
  static const char kName[] = "a type not registered in bindings/embind_types.cpp";
  char* out = static_cast<char*>(std::malloc(sizeof kName));
  if (out != nullptr) std::memcpy(out, kName, sizeof kName);
  return out;
}

}  // extern "C"

EMSCRIPTEN_BINDINGS(attrkit_builtin_types) {
  using namespace emscripten::internal;
  _embind_register_void(TypeID<void>::get(), "void");
  _embind_register_bool(TypeID<bool>::get(), "bool", sizeof(bool), true, false);
  register_integer<char>("char");
  register_integer<signed char>("signed char");
  register_integer<unsigned char>("unsigned char");
  register_integer<short>("short");
  register_integer<unsigned short>("unsigned short");
  register_integer<int>("int");
  register_integer<unsigned int>("unsigned int");
  register_integer<long>("long");
  register_integer<unsigned long>("unsigned long");
  _embind_register_float(TypeID<float>::get(), "float", sizeof(float));
  _embind_register_float(TypeID<double>::get(), "double", sizeof(double));
  _embind_register_emval(TypeID<emscripten::val>::get(), "emscripten::val");
}
