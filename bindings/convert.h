// JS value <-> attrkit::Json, for every Embind binding (bindings/*.cpp). Part of the Wasm build;
// a stable API: other bindings include this and nothing else of the glue.
// Each direction is one call into JS (bindings/convert.js) and one byte stream (format there), so
// no binding ever needs an Embind string type: none is registered (bindings/embind_types.cpp).
//
// JS -> Json (to_json) is total and never throws from C++:
//   string            -> WTF-8, written by convert.js, so a lone surrogate stays visible to
//                        validation (Embind's std::string conversion would merge it)
//   number            -> int64 when integral and |x| <= 2^53 (not -0), else double (NaN/Infinity
//                        included: the core refuses them)
//   boolean           -> boolean;   null, undefined -> null
//   Array.isArray     -> array (longer than kMaxArrayLength -> unrepresentable)
//   other object      -> object of its own enumerable string keys (Object.keys); "__proto__" is
//                        an ordinary key. Date, Map, ... become {} unless the caller converts them
//   function          -> function_marker() (core/command.h: binary subtype 1)
//   symbol, bigint,
//   nesting > kMaxDepth -> Json::binary({}, 0) ("unrepresentable"; cycles end up here)
// A throwing getter or Proxy trap propagates as a JS exception out of the binding call (the JS
// runtime wraps every call), from convert.js before the core sees anything; arguments converted
// earlier in the same call leak their C++ allocations.
//
// Json -> JS (to_js): object (own data properties, "__proto__" included), array, string (WTF-8
// decoded back to the same UTF-16 code units), number (double), boolean, null; binary -> null.
#pragma once
#include <emscripten/val.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/doc_writer.h"
#include "core/json.h"
#include "core/result.h"

namespace attrkit::bindings {

// Passed to convert.js, which applies them while it walks the value.
constexpr int kMaxDepth = 32;                // containers nested deeper become unrepresentable
constexpr unsigned kMaxArrayLength = 65536;  // a sparse `a[1e9] = 1` must not allocate 1e9 nulls

Json to_json(const emscripten::val& v);

// A JS value encoded (one call into JS) and not yet read: equal bytes are an equal value, so the
// bytes can name it (Engine::command_encoded); json() reads it as to_json would.
class Encoded {
 public:
  explicit Encoded(const emscripten::val& v);
  ~Encoded();
  Encoded(const Encoded&) = delete;
  Encoded& operator=(const Encoded&) = delete;
  std::string_view bytes() const;
  Json json() const;

 private:
  char* stream_;  // u32 length, then the stream (convert.js)
};
emscripten::val to_js(const Json& j);

// The one shape every binding returns: {ok: true, value} or {ok: false, error: {code, status,
// message?}} (code = error_name, status = error_status, 0 when never sent over HTTP; message:
// the core's sentence for a validation failure, core/validate.h, left out when empty).
emscripten::val ok_to_js(const Json& value);
emscripten::val error_to_js(Error e, const std::string& message = std::string());
emscripten::val result_to_js(const Result<Json>& r, const std::string& message = std::string());

// A document writer (core/doc_writer.h) straight into the stream, then decoded as one JS value:
// what to_js(as_json(x)) gives, without building the Json. Objects and arrays get their member
// count when they end; keys keep the order they were written in.
class StreamWriter {
 public:
  void begin_object();
  void begin_array();
  void end();
  void key(std::string_view k);
  void string(std::string_view s);
  void number(double d);
  void boolean(bool b);
  void null();
  void value(const Json& j);

  emscripten::val take();  // the JS value written (null when nothing was)

 private:
  struct Open {
    std::size_t at;       // where its count goes in out_
    std::uint32_t count;  // members (object) or items (array) so far
    bool object;
  };
  void item();  // a value starts: one more item of the innermost array
  void open(char tag, bool object);

  std::string out_;
  // The engine's documents nest 3 deep at most (events > event > error); values go through
  // put_value. Deeper ones are still written, their counts left 0 (never happens).
  static constexpr int kMaxOpen = 8;
  Open open_[kMaxOpen];
  int depth_ = 0;
};

}  // namespace attrkit::bindings
