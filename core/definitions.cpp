#include "definitions.h"

#include <cmath>
#include <cstddef>

#include "number_text.h"
#include "text_chars.h"
#include "value_text.h"

namespace attrkit {
namespace {

struct TypeName {
  AttrType type;
  const char* name;
  bool declarable;  // email and language exist only as the built-ins' formats
};

constexpr TypeName kTypes[] = {
    {AttrType::string, "string", true},
    {AttrType::number, "number", true},
    {AttrType::boolean, "boolean", true},
    {AttrType::date, "date", true},
    {AttrType::single_choice, "single_choice", true},
    {AttrType::multi_choice, "multi_choice", true},
    {AttrType::string_array, "string_array", true},
    {AttrType::email, "email", false},
    {AttrType::language, "language", false},
};

const char* type_name(AttrType t) {
  for (const TypeName& n : kTypes) {
    if (n.type == t) return n.name;
  }
  return "string";
}

bool is_builtin_key(const std::string& key) {
  return key == "name" || key == "email" || key == "language";
}

bool is_choice(AttrType t) { return t == AttrType::single_choice || t == AttrType::multi_choice; }
bool has_max_length(AttrType t) {
  return t == AttrType::string || is_choice(t) || t == AttrType::string_array ||
         t == AttrType::email || t == AttrType::language;
}

// A field that is absent or JSON null (servers often write null for "not set").
const Json* field(const Json& obj, const char* name) {
  const auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

bool read_bool(const Json& obj, const char* name, bool* out) {
  const Json* f = field(obj, name);
  if (f == nullptr) return true;
  if (!f->is_boolean()) return false;
  *out = f->get<bool>();
  return true;
}

bool read_limit(const Json& obj, const char* name, std::uint32_t* out) {
  const Json* f = field(obj, name);
  if (f == nullptr) return true;
  double x;
  if (!json_number(*f, &x) || !std::isfinite(x) || x != std::floor(x) || x < 1 ||
      x > 4294967295.0) {
    return false;
  }
  *out = static_cast<std::uint32_t>(x);
  return true;
}

bool read_bound(const Json& obj, const char* name, std::optional<double>* out) {
  const Json* f = field(obj, name);
  if (f == nullptr) return true;
  double x;
  if (!json_number(*f, &x) || !std::isfinite(x)) return false;
  *out = x == 0 ? 0.0 : x;
  return true;
}

// Non-empty, well-formed, within max_length, and unique ignoring ASCII case, so a
// case-insensitive match (DESIGN §3) always names exactly one option.
bool read_options(const Json& obj, std::uint32_t max_length, std::vector<std::string>* out) {
  const Json* f = field(obj, "options");
  if (f == nullptr) return true;
  if (!f->is_array()) return false;
  std::vector<std::string> options;
  for (const Json& item : *f) {
    if (!item.is_string()) return false;
    const std::string& s = item.get_ref<const std::string&>();
    if (s.empty() || check_text(s, max_length) != Error::ok) return false;
    for (const std::string& seen : options) {
      if (ascii_iequal(seen, s)) return false;
    }
    options.push_back(s);
  }
  *out = std::move(options);
  return true;
}

// `builtin_key`: the entry names a built-in (only parse_config allows that, to check that a
// server's listing of a built-in is well-formed before ignoring it).
Result<Definition> parse_definition_impl(const Json& j, bool builtin_key) {
  if (!j.is_object()) return Error::invalid_request;
  Definition d;
  const Json* key = field(j, "key");
  const Json* type = field(j, "type");
  if (key == nullptr || !key->is_string() || type == nullptr || !type->is_string()) {
    return Error::invalid_request;
  }
  d.key = key->get_ref<const std::string&>();
  if (builtin_key ? !is_builtin_key(d.key) : !is_valid_definition_key(d.key)) {
    return Error::invalid_request;
  }
  const std::string& tname = type->get_ref<const std::string&>();
  bool known = false;
  for (const TypeName& n : kTypes) {
    if (tname == n.name && (n.declarable || builtin_key)) {
      d.type = n.type;
      known = true;
    }
  }
  if (!known) return Error::invalid_request;

  // Every known field is type-checked whatever the type; only the ones that apply are kept, so
  // two definitions that behave the same compare and serialise the same.
  std::optional<double> min, max;
  bool integer = false, allow_custom = false;
  std::uint32_t max_length = kDefaultMaxLength, max_items = kDefaultMaxItems;
  std::vector<std::string> options;
  if (!read_bound(j, "min", &min) || !read_bound(j, "max", &max) ||
      !read_bool(j, "integer", &integer) || !read_bool(j, "allow_custom", &allow_custom) ||
      !read_bool(j, "archived", &d.archived) || !read_limit(j, "max_length", &max_length) ||
      !read_limit(j, "max_items", &max_items) || !read_options(j, max_length, &options)) {
    return Error::invalid_request;
  }
  if (d.type == AttrType::number) {
    if (min && max && *min > *max) return Error::invalid_request;
    d.min = min;
    d.max = max;
    d.integer = integer;
  }
  if (has_max_length(d.type)) d.max_length = max_length;
  if (d.type == AttrType::string_array) d.max_items = max_items;
  if (is_choice(d.type)) {
    if (options.empty()) return Error::invalid_request;
    d.options = std::move(options);
    d.allow_custom = allow_custom;
  }
  return d;
}

Definition builtin(const char* key, AttrType type, std::uint32_t max_length) {
  Definition d;
  d.key = key;
  d.type = type;
  d.max_length = max_length;
  d.builtin = true;
  return d;
}

}  // namespace

bool is_valid_definition_key(const std::string& key) {
  if (key.empty() || key.size() > 64 || is_ascii_digit(key[0]) || is_builtin_key(key)) {
    return false;
  }
  for (const char c : key) {
    if (!is_ascii_alnum(c) && c != '_') return false;
  }
  return true;
}

Result<Definition> parse_definition(const Json& j) { return parse_definition_impl(j, false); }

Json definition_to_json(const Definition& d) {
  Json j = json_object();
  j["key"] = d.key;
  j["type"] = type_name(d.type);
  if (d.type == AttrType::number) {
    if (d.min) j["min"] = number_json(*d.min);
    if (d.max) j["max"] = number_json(*d.max);
    j["integer"] = d.integer;
  }
  if (is_choice(d.type)) {
    Json options = json_array();
    for (const std::string& o : d.options) options.push_back(o);
    j["options"] = std::move(options);
    j["allow_custom"] = d.allow_custom;
  }
  if (has_max_length(d.type)) j["max_length"] = d.max_length;
  if (d.type == AttrType::string_array) j["max_items"] = d.max_items;
  j["archived"] = d.archived;
  return j;
}

const std::vector<Definition>& builtin_definitions() {
  // RFC 5321 caps a forward path at 256 octets, i.e. 254 for the address itself.
  static const std::vector<Definition> kBuiltins = {
      builtin("name", AttrType::string, kDefaultMaxLength),
      builtin("email", AttrType::email, 254),
      builtin("language", AttrType::language, kDefaultMaxLength),
  };
  return kBuiltins;
}

Result<Config> parse_config(const Json& j) {
  if (!j.is_object()) return Error::invalid_config;
  Config c;
  const Json* workspace = field(j, "workspace");
  if (workspace == nullptr || !workspace->is_string()) return Error::invalid_config;
  c.workspace = workspace->get_ref<const std::string&>();

  if (!read_bool(j, "clientAttributeWrites", &c.client_attribute_writes)) {
    return Error::invalid_config;
  }
  if (const Json* version = field(j, "definitionsVersion")) {
    double x;
    if (version->is_string()) {
      c.definitions_version = version->get_ref<const std::string&>();
    } else if (json_number(*version, &x) && std::isfinite(x)) {
      c.definitions_version = number_to_text(x);
    } else {
      return Error::invalid_config;
    }
  }

  for (const Definition& b : builtin_definitions()) c.attributes.emplace(b.key, b);
  const Json* attributes = field(j, "attributes");
  if (attributes == nullptr || !attributes->is_array()) return Error::invalid_config;
  for (const Json& entry : *attributes) {
    const Json* key = entry.is_object() ? field(entry, "key") : nullptr;
    const bool listed_builtin =
        key != nullptr && key->is_string() && is_builtin_key(key->get_ref<const std::string&>());
    Result<Definition> d = parse_definition_impl(entry, listed_builtin);
    if (!d.ok()) return Error::invalid_config;
    if (listed_builtin) continue;  // built-ins are fixed; a server may still list them
    if (!c.attributes.emplace(d.value().key, std::move(d).value()).second) {
      return Error::invalid_config;  // the same key declared twice
    }
  }
  return c;
}

Json config_to_json(const Config& c) {
  Json attributes = json_array();
  for (const auto& entry : c.attributes) {
    if (!entry.second.builtin) attributes.push_back(definition_to_json(entry.second));
  }
  Json j = json_object();
  j["workspace"] = c.workspace;
  j["clientAttributeWrites"] = c.client_attribute_writes;
  j["definitionsVersion"] = c.definitions_version;
  j["attributes"] = std::move(attributes);
  return j;
}

}  // namespace attrkit
