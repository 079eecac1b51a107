#include "bindings/convert.h"

#include <emscripten/em_js.h>
#include <emscripten/em_macros.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "core/command.h"
#include "core/unicode.h"

// WTF-8 -> JS string, decoded in JS. Embind's std::string / std::u16string conversions go through
// TextDecoder, which turns a lone surrogate into U+FFFD; this keeps strings exactly as they came
// in. The core only produces WTF-8 (utf16_to_wtf8 or ASCII); a malformed tail cannot read past
// the end and never yields an invalid code point.
EM_JS(emscripten::EM_VAL, attrkit_wtf8_to_js, (const char* p, size_t n), {
  var e = p + n, s = "", c, k;
  while (p < e) {
    c = HEAPU8[p++];
    k = c < 0xC0 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    if (k) c &= 0x3F >> k;
    for (; k && p < e; k--) c = c << 6 | HEAPU8[p++] & 0x3F;
    s += String.fromCodePoint(c > 0x10FFFF ? 0xFFFD : c);
  }
  return Emval.toHandle(s);
});

namespace attrkit::bindings {
namespace {

using emscripten::val;

Json unrepresentable() { return Json::binary({}, 0); }

std::string wtf8(const val& v) { return utf16_to_wtf8(v.as<std::u16string>()); }

Json number(double d) {
  // 2^53: beyond it a double no longer names one integer, so it stays a double. -0 stays a double
  // so the core sees exactly what JS had.
  if (std::trunc(d) == d && std::fabs(d) <= 9007199254740992.0 && !(d == 0 && std::signbit(d)))
    return static_cast<std::int64_t>(d);
  return d;
}

Json convert(const val& v, int depth) {
  // Handle comparisons and the two is_* imports are cheaper than typeof for the common cases.
  if (v.isString()) return wtf8(v);
  if (v.isNumber()) return number(v.as<double>());
  if (v.isTrue()) return true;
  if (v.isFalse()) return false;
  if (v.isNull() || v.isUndefined()) return nullptr;

  const std::string type = v.typeOf().as<std::string>();
  if (type == "function") return function_marker();
  if (type != "object" || depth >= kMaxDepth) return unrepresentable();

  if (val::global("Array").call<bool>("isArray", v)) {
    const unsigned n = v["length"].as<unsigned>();
    if (n > kMaxArrayLength) return unrepresentable();
    Json out = Json::array();
    for (unsigned i = 0; i < n; ++i) out.push_back(convert(v[i], depth + 1));
    return out;
  }
  const val keys = val::global("Object").call<val>("keys", v);
  const unsigned n = keys["length"].as<unsigned>();
  Json out = Json::object();
  for (unsigned i = 0; i < n; ++i) {
    const val key = keys[i];
    out[wtf8(key)] = convert(v[key], depth + 1);
  }
  return out;
}

val js_string(const std::string& s) { return val::take_ownership(attrkit_wtf8_to_js(s.data(), s.size())); }

}  // namespace

Json to_json(const val& v) { return convert(v, 0); }

val to_js(const Json& j) {
  switch (j.type()) {
    case Json::value_t::object: {
      val out = val::object();
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (it.key() == "__proto__") {
          // Plain assignment would call the inherited __proto__ setter and change the prototype.
          val desc = val::object();
          desc.set("value", to_js(it.value()));
          desc.set("enumerable", true);
          desc.set("writable", true);
          desc.set("configurable", true);
          val::global("Object").call<void>("defineProperty", out, js_string(it.key()), desc);
        } else {
          out.set(js_string(it.key()), to_js(it.value()));
        }
      }
      return out;
    }
    case Json::value_t::array: {
      val out = val::array();
      unsigned i = 0;
      for (const Json& item : j) out.set(i++, to_js(item));
      return out;
    }
    case Json::value_t::string:
      return js_string(*j.get_ptr<const std::string*>());
    case Json::value_t::boolean:
      return val(*j.get_ptr<const bool*>());
    case Json::value_t::number_integer:
      return val(static_cast<double>(*j.get_ptr<const std::int64_t*>()));
    case Json::value_t::number_unsigned:
      return val(static_cast<double>(*j.get_ptr<const std::uint64_t*>()));
    case Json::value_t::number_float:
      return val(*j.get_ptr<const double*>());
    default:  // null, binary, discarded
      return val::null();
  }
}

val ok_to_js(const Json& value) {
  val out = val::object();
  out.set("ok", true);
  out.set("value", to_js(value));
  return out;
}

val error_to_js(Error e) {
  val error = val::object();
  error.set("code", error_name(e));
  error.set("status", error_status(e));
  val out = val::object();
  out.set("ok", false);
  out.set("error", error);
  return out;
}

val result_to_js(const Result<Json>& r) { return r.ok() ? ok_to_js(r.value()) : error_to_js(r.error()); }

}  // namespace attrkit::bindings
