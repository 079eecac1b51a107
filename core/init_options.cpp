#include "init_options.h"

#include <cstddef>

#include "keys.h"

namespace attrkit {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) { return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f'); }

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

// RFC 1123 labels: letters, digits and inner hyphens, 1 to 63 characters each, 253 in all.
bool is_hostname(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i <= host.size(); ++i) {
    if (i == host.size() || host[i] == '.') {
      if (label == 0 || label > 63) return false;
      if (host[i - 1] == '-' || host[i - label] == '-') return false;
      label = 0;
      continue;
    }
    const char c = host[i];
    if (!is_alpha(c) && !is_digit(c) && c != '-') return false;
    ++label;
  }
  return true;
}

// Four decimal octets 0..255: the only numeric host form a loopback check can trust (no octal,
// hex or shortened forms, which browsers would reinterpret).
bool parse_ipv4(std::string_view host, int* first_octet) {
  int parts = 0;
  std::size_t i = 0;
  while (i <= host.size()) {
    std::size_t j = i;
    int value = 0;
    while (j < host.size() && is_digit(host[j]) && j - i < 3)
      value = value * 10 + (host[j++] - '0');
    if (j == i || value > 255 || (j - i > 1 && host[i] == '0')) return false;
    if (parts == 0) *first_octet = value;
    ++parts;
    if (j == host.size()) break;
    if (host[j] != '.') return false;
    i = j + 1;
  }
  return parts == 4;
}

bool is_ipv6_text(std::string_view s) {
  if (s.find(':') == std::string_view::npos) return false;
  for (char c : s)
    if (!is_hex(c) && c != ':' && c != '.') return false;
  return true;
}

// Path characters of RFC 3986 (pchar and '/'); no query or fragment: an API host is a base URL.
bool is_path(std::string_view p) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (is_alpha(c) || is_digit(c)) continue;
    if (c == '%') {
      if (i + 2 >= p.size() || !is_hex(p[i + 1]) || !is_hex(p[i + 2])) return false;
      i += 2;
      continue;
    }
    static constexpr std::string_view kAllowed = "-._~!$&'()*+,;=:@/";
    if (kAllowed.find(c) == std::string_view::npos) return false;
  }
  return true;
}

bool is_port(std::string_view p) {
  if (p.empty() || p.size() > 5) return false;
  long value = 0;
  for (char c : p) {
    if (!is_digit(c)) return false;
    value = value * 10 + (c - '0');
  }
  return value >= 1 && value <= 65535;
}

}  // namespace

Result<std::string> normalize_api_host(std::string_view url) {
  const std::size_t sep = url.find("://");
  if (sep == std::string_view::npos) return Error::invalid_api_host;
  const std::string scheme = lowered(url.substr(0, sep));
  if (scheme != "https" && scheme != "http") return Error::invalid_api_host;
  const std::string_view rest = url.substr(sep + 3);
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);

  std::string host;
  std::string_view port;
  bool loopback = false;
  if (!authority.empty() && authority[0] == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return Error::invalid_api_host;
    const std::string_view inner = authority.substr(1, close - 1);
    if (!is_ipv6_text(inner)) return Error::invalid_api_host;
    host = "[" + lowered(inner) + "]";
    loopback = host == "[::1]";
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Error::invalid_api_host;
      port = after.substr(1);
      if (!is_port(port)) return Error::invalid_api_host;
    }
  } else {
    const std::size_t colon = authority.find(':');
    host = lowered(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (!is_port(port)) return Error::invalid_api_host;
    }
    // '@' (credentials), '%' and everything else outside a hostname fail here.
    if (!is_hostname(host)) return Error::invalid_api_host;
    int first_octet = -1;
    loopback = host == "localhost" || (parse_ipv4(host, &first_octet) && first_octet == 127);
  }
  if (scheme == "http" && !loopback) return Error::invalid_api_host;
  if (!is_path(path)) return Error::invalid_api_host;
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);

  std::string out = scheme + "://" + host;
  if (!port.empty()) out.append(":").append(port);
  out.append(path);
  return out;
}

const char* consent_name(Consent c) {
  switch (c) {
    case Consent::granted: return "granted";
    case Consent::pending: return "pending";
    case Consent::denied: return "denied";
  }
  return "granted";
}

Json init_options_to_json(const InitOptions& o) {
  Json j = json_object();
  j["publicKey"] = o.public_key;
  j["apiHost"] = o.api_host;
  j["consent"] = consent_name(o.consent);
  j["persistence"] = o.memory ? "memory" : "localStorage";
  j["debug"] = o.debug;
  return j;
}

namespace {

bool refuse(const char** why, const char* reason) {
  *why = reason;
  return false;
}

// The string value of options[name]: `fallback` when absent, nullptr when present but not a string.
const std::string* setting(const Json& options, const char* name, const std::string& fallback) {
  const auto it = options.find(name);
  return it == options.end() ? &fallback : it->get_ptr<const std::string*>();
}

// consent, persistence, debug: absent keeps the default; any other value than the documented ones
// is refused rather than guessed (a typo in "consent" must not start tracking).
bool parse_settings(const Json& options, InitOptions* out, const char** why) {
  static const std::string kGranted = "granted";
  static const std::string kLocalStorage = "localStorage";
  const std::string* consent = setting(options, "consent", kGranted);
  if (consent && *consent == "pending") out->consent = Consent::pending;
  else if (consent && *consent == "denied") out->consent = Consent::denied;
  else if (!consent || *consent != kGranted)
    return refuse(why, "consent must be \"granted\", \"pending\" or \"denied\"");
  const std::string* persistence = setting(options, "persistence", kLocalStorage);
  if (persistence && *persistence == "memory") out->memory = true;
  else if (!persistence || *persistence != kLocalStorage)
    return refuse(why, "persistence must be \"localStorage\" or \"memory\"");
  const auto debug = options.find("debug");
  if (debug != options.end()) {
    if (!debug->is_boolean()) return refuse(why, "debug must be true or false");
    out->debug = debug->get<bool>();
  }
  return true;
}

}  // namespace

Result<InitOptions> parse_init_options(const Json& options, const char** why) {
  const char* ignored = nullptr;
  if (!why) why = &ignored;
  if (!options.is_object()) {
    *why = "do init expects [{publicKey, apiHost}]";
    return Error::invalid_command;
  }
  const auto key = options.find("publicKey");
  if (key != options.end() && key->is_string()) {
    const std::string& k = key->get_ref<const std::string&>();
    if (k.compare(0, 3, "sk_") == 0 || classify_key(k) == KeyKind::secret)
      return Error::secret_key_in_browser;
  }
  if (key == options.end() || !key->is_string() ||
      classify_key(key->get_ref<const std::string&>()) != KeyKind::publishable)
    return Error::invalid_key;
  const auto host = options.find("apiHost");
  if (host == options.end() || !host->is_string()) return Error::invalid_api_host;
  Result<std::string> api_host = normalize_api_host(host->get_ref<const std::string&>());
  if (!api_host.ok()) return api_host.error();
  InitOptions out;
  if (!parse_settings(options, &out, why)) return Error::invalid_command;
  out.public_key = key->get_ref<const std::string&>();
  out.api_host = std::move(api_host).value();
  return out;
}

}  // namespace attrkit
