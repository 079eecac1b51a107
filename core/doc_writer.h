// A writer for the documents the engine hands to its caller (engine_docs.h writes them). The shape
// of each document is written once, as a sequence of calls; each writer makes its own output of
// it: JsonWriter below builds a Json (native tests, fixtures, as_json), and the Wasm converter's
// StreamWriter (bindings/convert.h) writes the bytes the JS side turns into an object, so a push
// builds no Json document for its answer. A writer is any class with these members (the
// documents are templates over it):
//
//   begin_object(), begin_array(), end()      end() closes the innermost open one
//   key(string_view)                          inside an object, every value follows its key
//   string(string_view), number(double), boolean(bool), null(), value(const Json&)
//
//   w.begin_object(); w.key("ticket"); w.number(7); w.key("result"); w.value(doc); w.end();
//
// Keys are written in the order given; a Json sorts them (nlohmann's object is a std::map).
#pragma once
#include <cstddef>
#include <string_view>
#include <vector>

#include "json.h"

namespace attrkit {

// Builds a Json. A whole number in [-2^53, 2^53] (not -0) is stored as an integer, as the Wasm
// converter reads numbers from JS, so both writers give equal documents.
class JsonWriter {
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

  Json take() { return std::move(root_); }

 private:
  Json& slot();  // where the next value goes

  Json root_;
  std::vector<Json*> open_;  // the containers being written, innermost last
  std::string key_;          // the key of the next value, inside an object
};

}  // namespace attrkit
