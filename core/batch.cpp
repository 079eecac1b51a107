#include "batch.h"

#include <cmath>

namespace attrkit {
namespace {

// Longest JSON.stringify output for a string: a control character or a lone surrogate (3 WTF-8
// bytes) becomes a 6-byte \uXXXX escape, so 2 bytes per non-ASCII byte and 6 per control character
// bound it from above.
std::size_t string_bytes(const std::string& s) {
  std::size_t n = 2;
  for (unsigned char c : s) {
    if (c < 0x20) n += 6;
    else if (c == '"' || c == '\\') n += 2;
    else if (c >= 0x80) n += 2;
    else n += 1;
  }
  return n;
}

constexpr std::size_t kNumberBytes = 24;  // "-1.2345678901234567e-308"

const Json* member(const Json& obj, const char* name) {
  const auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}

// A JSON number that is a whole number in [0, 2^53] (what a JS counter holds exactly).
std::optional<std::int64_t> as_seq(const Json& j) {
  constexpr double kMaxSafe = 9007199254740992.0;
  if (j.is_number_unsigned()) {
    const auto v = j.get<std::uint64_t>();
    if (v <= static_cast<std::uint64_t>(kMaxSafe)) return static_cast<std::int64_t>(v);
  } else if (j.is_number_integer()) {
    const auto v = j.get<std::int64_t>();
    if (v >= 0 && v <= static_cast<std::int64_t>(kMaxSafe)) return v;
  } else if (j.is_number_float()) {
    const double d = j.get<double>();
    if (d >= 0 && d <= kMaxSafe && std::floor(d) == d) return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

Error invalid(std::string* message, const char* why) {
  if (message) *message = why;
  return Error::invalid_request;
}

}  // namespace

bool is_wire_id(const Json* j) {
  if (!j || !j->is_string()) return false;
  const auto& s = j->get_ref<const std::string&>();
  return !s.empty() && s.size() <= kMaxWireIdBytes;
}

Error read_batch_entry(const Json& entry, BatchEntry* out, std::string* message) {
  const Json* client = member(entry, "clientId");
  const Json* seq = member(entry, "seq");
  const bool has_client = client && !client->is_null();
  if (has_client != (seq && !seq->is_null()))
    return invalid(message, "\"clientId\" and \"seq\" go together");
  if (has_client) {
    if (!is_wire_id(client))
      return invalid(message, "\"clientId\" must be a string of 1 to 200 bytes");
    const std::optional<std::int64_t> n = as_seq(*seq);
    if (!n) return invalid(message, "\"seq\" must be a whole number from 0 to 2^53");
    out->client_id = &client->get_ref<const std::string&>();
    out->seq = *n;
  }
  const Json* attribute = member(entry, "attribute");
  if (!attribute || !attribute->is_string())
    return invalid(message, "\"attribute\" must be a string");
  out->attribute = &attribute->get_ref<const std::string&>();
  const Json* clear = member(entry, "clear");
  if (clear && !clear->is_null() && !clear->is_boolean())
    return invalid(message, "\"clear\" must be a boolean");
  out->clear = clear && clear->is_boolean() && clear->get<bool>();
  out->value = member(entry, "value");
  if (out->clear && out->value) return invalid(message, "a clear has no \"value\"");
  if (!out->clear && !out->value) return invalid(message, "\"value\" is missing");
  static const Json kNull;
  const Json* id = member(entry, "distinctId");
  out->distinct_id = id ? id : &kNull;
  return Error::ok;
}

namespace {

Json entry_json(const Write& w) {
  Json entry = json_object();
  entry["id"] = w.id;
  entry["distinctId"] = w.distinct_id;
  entry["attribute"] = w.attribute;
  if (w.clear) entry["clear"] = true;
  else entry["value"] = w.value;
  entry["clientId"] = w.client_id;
  entry["seq"] = w.seq;
  return entry;
}

}  // namespace

Json build_batch_body(const std::vector<const Write*>& writes, bool remove_unspecified) {
  Json list = json_array();
  for (const Write* w : writes) list.push_back(entry_json(*w));
  Json body = json_object();
  body["writes"] = std::move(list);
  if (remove_unspecified) body["removeUnspecified"] = true;
  return body;
}

std::size_t estimate_json_bytes(const Json& v) {
  switch (v.type()) {
    case Json::value_t::string: return string_bytes(v.get_ref<const std::string&>());
    case Json::value_t::boolean: return 5;
    case Json::value_t::null: return 4;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return kNumberBytes;
    case Json::value_t::array: {
      std::size_t n = 2;
      for (const Json& item : v) n += estimate_json_bytes(item) + 1;
      return n;
    }
    case Json::value_t::object: {
      std::size_t n = 2;
      for (const auto& [key, value] : members(v))
        n += string_bytes(key) + 2 + estimate_json_bytes(value);
      return n;
    }
    default: return 4;  // binary / discarded never reach a batch; they would be sent as null
  }
}

std::size_t estimate_write_bytes(const Write& w) {
  // {"id":,"distinctId":,"attribute":,"value":,"clientId":,"seq":} plus a separating comma
  constexpr std::size_t kFieldNames = 60;
  return kFieldNames + string_bytes(w.id) + string_bytes(w.distinct_id) +
         string_bytes(w.attribute) + estimate_json_bytes(w.value) + string_bytes(w.client_id) +
         kNumberBytes;
}

Result<std::vector<WriteResult>> parse_batch_response(const Json& body) {
  if (!body.is_object()) return Error::invalid_request;
  const auto results = body.find("results");
  if (results == body.end() || !results->is_array()) return Error::invalid_request;
  std::vector<WriteResult> out;
  out.reserve(results->size());
  for (const Json& r : *results) {
    if (!r.is_object()) return Error::invalid_request;
    const auto id = r.find("id");
    const auto ok = r.find("ok");
    if (id == r.end() || !id->is_string() || ok == r.end() || !ok->is_boolean())
      return Error::invalid_request;
    WriteResult wr;
    wr.id = id->get_ref<const std::string&>();
    wr.ok = ok->get<bool>();
    if (wr.ok) {
      const auto value = r.find("value");
      if (value != r.end()) wr.value = *value;
      const auto person = r.find("personId");
      if (person != r.end() && person->is_string())
        wr.person_id = person->get_ref<const std::string&>();
    } else {
      const auto err = r.find("error");
      if (err == r.end() || !err->is_object()) return Error::invalid_request;
      const auto code = err->find("code");
      if (code == err->end() || !code->is_string()) return Error::invalid_request;
      wr.error = error_from_name(code->get_ref<const std::string&>());
      if (wr.error == Error::ok) wr.error = Error::server_error;
      const auto message = err->find("message");
      if (message != err->end() && message->is_string())
        wr.message = message->get_ref<const std::string&>();
    }
    out.push_back(std::move(wr));
  }
  return out;
}

}  // namespace attrkit
