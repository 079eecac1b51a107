#include "doc_writer.h"

#include <cmath>
#include <cstdint>
#include <string>

namespace attrkit {

Json& JsonWriter::slot() {
  if (open_.empty()) return root_;
  Json& parent = *open_.back();
  if (parent.is_array()) {
    parent.push_back(nullptr);
    return parent.back();
  }
  return parent[key_];
}

void JsonWriter::begin_object() {
  Json& j = slot();
  j = json_object();
  open_.push_back(&j);
}

void JsonWriter::begin_array() {
  Json& j = slot();
  j = json_array();
  open_.push_back(&j);
}

void JsonWriter::end() {
  if (!open_.empty()) open_.pop_back();
}

void JsonWriter::key(std::string_view k) { key_.assign(k.data(), k.size()); }

void JsonWriter::string(std::string_view s) { slot() = std::string(s); }

void JsonWriter::number(double d) {
  if (std::trunc(d) == d && std::fabs(d) <= 9007199254740992.0 && !(d == 0 && std::signbit(d)))
    slot() = static_cast<std::int64_t>(d);
  else slot() = d;
}

void JsonWriter::boolean(bool b) { slot() = b; }

void JsonWriter::null() { slot() = nullptr; }

void JsonWriter::value(const Json& j) { slot() = j; }

}  // namespace attrkit
