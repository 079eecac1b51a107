// Both directions go through one byte stream (format: bindings/convert.js, the JS half): the JS
// side walks the value and writes the stream in one call, this side reads it into a Json; back,
// this side writes a Json and the JS side builds the value in one call. Per-property Embind calls
// (typeof, get, set, Object.keys, Array.isArray as val methods) cost a glue function and a wasm
// import each, and std::u16string/std::string conversions would need Embind's string types
// (bench/README.md has the figures).
#include "bindings/convert.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/command.h"

extern "C" {
// bindings/convert.js
// malloc'd: a u32 byte length, then the stream; the caller frees it
char* attrkit_js_encode(emscripten::EM_VAL value, int max_depth, unsigned max_array_length);
emscripten::EM_VAL attrkit_js_decode(const char* stream);
}

namespace attrkit::bindings {
namespace {

using emscripten::val;

enum Tag : char {
  kNull,
  kTrue,
  kFalse,
  kUnrepresentable,
  kFunction,
  kNumber,
  kString,
  kArray,
  kObject,
};

// ---- JS -> Json: the stream is ours (convert.js), well-formed by construction ----

struct Reader {
  const char* p;

  std::uint32_t count() {
    std::uint32_t x;
    std::memcpy(&x, p, 4);  // little-endian, like Wasm
    p += 4;
    return x;
  }
  std::string text() {
    const std::uint32_t n = count();
    std::string s(p, n);
    p += n;
    return s;
  }
  Json value() {
    switch (*p++) {
      case kTrue: return true;
      case kFalse: return false;
      case kUnrepresentable: return Json::binary({}, 0);
      case kFunction: return function_marker();
      case kNumber: {
        double d;
        std::memcpy(&d, p, 8);
        p += 8;
        // 2^53: beyond it a double no longer names one integer, so it stays a double. -0 stays a
        // double so the core sees exactly what JS had.
        if (std::trunc(d) == d && std::fabs(d) <= 9007199254740992.0 &&
            !(d == 0 && std::signbit(d)))
          return static_cast<std::int64_t>(d);
        return d;
      }
      case kString: return text();
      case kArray: {
        Json out = json_array();
        for (std::uint32_t n = count(); n > 0; --n) out.push_back(value());
        return out;
      }
      case kObject: {
        Json out = json_object();
        for (std::uint32_t n = count(); n > 0; --n) {
          std::string key = text();
          out[std::move(key)] = value();
        }
        return out;
      }
      default: return nullptr;
    }
  }
};

// ---- Json -> JS ----

void put_count(std::string& out, std::size_t n) {
  const auto x = static_cast<std::uint32_t>(n);
  out.append(reinterpret_cast<const char*>(&x), 4);
}

void put_text(std::string& out, const std::string& s) {
  put_count(out, s.size());
  out += s;
}

void put_key(std::string& out, const char* key) {
  put_count(out, std::strlen(key));
  out += key;
}

void put_number(std::string& out, double d) {
  out += kNumber;
  out.append(reinterpret_cast<const char*>(&d), 8);
}

void put_value(std::string& out, const Json& j) {
  // The containers are walked directly: nlohmann's iterators cost more code than they save here.
  if (const Json::object_t* object = j.get_ptr<const Json::object_t*>()) {
    out += kObject;
    put_count(out, object->size());
    for (const auto& [key, item] : *object) {
      put_text(out, key);
      put_value(out, item);
    }
  } else if (const Json::array_t* array = j.get_ptr<const Json::array_t*>()) {
    out += kArray;
    put_count(out, array->size());
    for (const Json& item : *array) put_value(out, item);
  } else if (const std::string* s = j.get_ptr<const std::string*>()) {
    out += kString;
    put_text(out, *s);
  } else if (const bool* b = j.get_ptr<const bool*>()) {
    out += *b ? kTrue : kFalse;
  } else if (j.is_number()) {
    put_number(out, j.get<double>());
  } else {
    out += kNull;  // null, binary, discarded
  }
}

// The head of {ok, <key>: ...}: what follows in `out` is the value of `key`.
void put_result_head(std::string& out, bool ok, const char* key) {
  out += kObject;
  put_count(out, 2);
  put_key(out, "ok");
  out += ok ? kTrue : kFalse;
  put_key(out, key);
}

val decode(const std::string& stream) {
  return val::take_ownership(attrkit_js_decode(stream.data()));
}

}  // namespace

Encoded::Encoded(const val& v)
    : stream_(attrkit_js_encode(v.as_handle(), kMaxDepth, kMaxArrayLength)) {}

Encoded::~Encoded() { std::free(stream_); }

std::string_view Encoded::bytes() const {
  std::uint32_t n;
  std::memcpy(&n, stream_, 4);
  return {stream_ + 4, n};
}

Json Encoded::json() const { return Reader{stream_ + 4}.value(); }

Json to_json(const val& v) { return Encoded(v).json(); }

val to_js(const Json& j) {
  std::string out;
  put_value(out, j);
  return decode(out);
}

val ok_to_js(const Json& value) {
  std::string out;
  put_result_head(out, true, "value");
  put_value(out, value);
  return decode(out);
}

val error_to_js(Error e, const std::string& message) {
  std::string out;
  put_result_head(out, false, "error");
  out += kObject;
  put_count(out, message.empty() ? 2 : 3);
  put_key(out, "code");
  out += kString;
  put_key(out, error_name(e));
  put_key(out, "status");
  put_number(out, error_status(e));
  if (!message.empty()) {
    put_key(out, "message");
    out += kString;
    put_text(out, message);
  }
  return decode(out);
}

val result_to_js(const Result<Json>& r, const std::string& message) {
  return r.ok() ? ok_to_js(r.value()) : error_to_js(r.error(), message);
}

void StreamWriter::item() {
  if (depth_ > 0 && depth_ <= kMaxOpen && !open_[depth_ - 1].object) ++open_[depth_ - 1].count;
}

void StreamWriter::open(char tag, bool object) {
  item();
  out_ += tag;
  if (depth_ < kMaxOpen) open_[depth_] = {out_.size(), 0, object};
  ++depth_;
  put_count(out_, 0);
}

void StreamWriter::begin_object() { open(kObject, true); }

void StreamWriter::begin_array() { open(kArray, false); }

void StreamWriter::end() {
  if (depth_ == 0) return;
  --depth_;
  if (depth_ < kMaxOpen) std::memcpy(&out_[open_[depth_].at], &open_[depth_].count, 4);
}

void StreamWriter::key(std::string_view k) {
  if (depth_ > 0 && depth_ <= kMaxOpen) ++open_[depth_ - 1].count;
  put_count(out_, k.size());
  out_.append(k.data(), k.size());
}

void StreamWriter::string(std::string_view s) {
  item();
  out_ += kString;
  put_count(out_, s.size());
  out_.append(s.data(), s.size());
}

void StreamWriter::number(double d) {
  item();
  put_number(out_, d);
}

void StreamWriter::boolean(bool b) {
  item();
  out_ += b ? kTrue : kFalse;
}

void StreamWriter::null() {
  item();
  out_ += kNull;
}

void StreamWriter::value(const Json& j) {
  item();
  put_value(out_, j);
}

val StreamWriter::take() {
  if (out_.empty()) out_ += kNull;
  return decode(out_);
}

}  // namespace attrkit::bindings
