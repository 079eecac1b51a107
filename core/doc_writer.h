// A sink for the documents the engine hands to its caller (engine_json.h writes them). The shape
// of each document is written once, as a sequence of calls; each sink makes its own output of it:
// JsonWriter below builds a Json (native tests, fixtures, every document that is data), and the
// Wasm converter's stream writer (bindings/convert.h) writes the bytes the JS side turns into an
// object, so the hot calls (a push and its events) build no Json document per call.
//
//   w.begin_object(); w.key("ticket"); w.number(7); w.key("result"); w.value(doc); w.end();
//
// Keys are written in the order given; a Json sink sorts them (nlohmann's object is a std::map).
#pragma once
#include <cstddef>
#include <string_view>
#include <vector>

#include "json.h"

namespace attrkit {

class DocWriter {
 public:
  virtual ~DocWriter() = default;
  virtual void begin_object() = 0;
  virtual void begin_array() = 0;
  virtual void end() = 0;  // closes the innermost open object or array
  // Inside an object, every value follows its key.
  virtual void key(std::string_view k) = 0;
  virtual void string(std::string_view s) = 0;
  virtual void number(double d) = 0;
  virtual void boolean(bool b) = 0;
  virtual void null() = 0;
  virtual void value(const Json& j) = 0;  // a document as it is
};

// Builds a Json. A whole number in [-2^53, 2^53] (not -0) is stored as an integer, as the Wasm
// converter reads numbers from JS, so both sinks give equal documents.
class JsonWriter final : public DocWriter {
 public:
  void begin_object() override;
  void begin_array() override;
  void end() override;
  void key(std::string_view k) override;
  void string(std::string_view s) override;
  void number(double d) override;
  void boolean(bool b) override;
  void null() override;
  void value(const Json& j) override;

  Json take() { return std::move(root_); }

 private:
  Json& slot();  // where the next value goes

  Json root_;
  std::vector<Json*> open_;  // the containers being written, innermost last
  std::string key_;          // the key of the next value, inside an object
};

}  // namespace attrkit
