// Runs every shared fixture under tests/fixtures/values/ through the native core. The Wasm suite
// runs the same files through the bindings; tests/fixtures/README.md is the format both follow.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/definitions.h"
#include "core/error.h"
#include "core/json.h"
#include "core/unicode.h"
#include "core/validate.h"

namespace attrkit {
namespace {

namespace fs = std::filesystem;

// Expands the fixture macros ({"$repeat": [s, n]}, {"$concat": [...]}, {"$utf16": [units]},
// {"$array": [item, n]}) everywhere in a case. A malformed macro is reported through *error.
Json expand(const Json& j, std::string* error) {
  if (j.is_array()) {
    Json out = Json::array();
    for (const Json& item : j) out.push_back(expand(item, error));
    return out;
  }
  if (!j.is_object()) return j;
  if (j.size() == 1 && j.begin().key().rfind('$', 0) == 0) {
    const std::string& macro = j.begin().key();
    const Json& arg = j.begin().value();
    if (macro == "$repeat" && arg.is_array() && arg.size() == 2 && arg[1].is_number_unsigned()) {
      const Json piece = expand(arg[0], error);
      if (!piece.is_string()) return *error = "$repeat of a non-string", Json();
      std::string out;
      for (std::uint64_t k = 0; k < arg[1].get<std::uint64_t>(); ++k)
        out += piece.get<std::string>();
      return out;
    }
    if (macro == "$array" && arg.is_array() && arg.size() == 2 && arg[1].is_number_unsigned()) {
      Json out = Json::array();
      const Json item = expand(arg[0], error);
      for (std::uint64_t k = 0; k < arg[1].get<std::uint64_t>(); ++k) out.push_back(item);
      return out;
    }
    if (macro == "$concat" && arg.is_array()) {
      std::string out;
      for (const Json& part : arg) {
        const Json p = expand(part, error);
        if (!p.is_string()) return *error = "$concat of a non-string", Json();
        out += p.get<std::string>();
      }
      return out;
    }
    if (macro == "$utf16" && arg.is_array()) {
      std::u16string units;
      for (const Json& u : arg) {
        if (!u.is_number_unsigned() || u.get<std::uint64_t>() > 0xFFFF) {
          return *error = "$utf16 unit out of range", Json();
        }
        units.push_back(static_cast<char16_t>(u.get<std::uint64_t>()));
      }
      return utf16_to_wtf8(units);  // exactly what the Wasm bindings do with a JS string
    }
    *error = "unknown or malformed macro " + macro;
    return Json();
  }
  Json out = Json::object();
  for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = expand(it.value(), error);
  return out;
}

// Structural equality, numbers by value; an actual number must also follow attrkit's number
// rule (integral and |x| <= 2^53 -> JSON integer, else double), which JS cannot observe.
bool same(const Json& expected, const Json& actual, std::string* why) {
  if (expected.is_number() && actual.is_number()) {
    const double e = expected.get<double>(), a = actual.get<double>();
    if (e != a) return *why = "number " + actual.dump() + " != " + expected.dump(), false;
    const bool want_integer = a == std::floor(a) && std::fabs(a) <= 9007199254740992.0;
    if (want_integer != actual.is_number_integer()) {
      return *why = "number " + actual.dump() + " has the wrong JSON number kind", false;
    }
    return true;
  }
  if (expected.type() != actual.type()) {
    return *why = "got " + actual.dump() + ", expected " + expected.dump(), false;
  }
  if (expected.is_array()) {
    if (expected.size() != actual.size()) {
      return *why = "array size " + std::to_string(actual.size()) +
                    " != " + std::to_string(expected.size()),
             false;
    }
    for (std::size_t k = 0; k < expected.size(); ++k) {
      if (!same(expected[k], actual[k], why))
        return *why = "[" + std::to_string(k) + "] " + *why, false;
    }
    return true;
  }
  if (expected.is_object()) {
    if (expected.size() != actual.size()) {
      return *why = "object " + actual.dump() + " != " + expected.dump(), false;
    }
    for (auto it = expected.begin(); it != expected.end(); ++it) {
      const auto found = actual.find(it.key());
      if (found == actual.end()) return *why = "missing field " + it.key(), false;
      if (!same(it.value(), *found, why)) return *why = "." + it.key() + " " + *why, false;
    }
    return true;
  }
  if (expected != actual)
    return *why = "got " + actual.dump() + ", expected " + expected.dump(), false;
  return true;
}

std::string show(const Json& j) {
  std::string s = j.dump();
  return s.size() > 120 ? s.substr(0, 117) + "..." : s;
}

// A failing case pins the core's message too (tests/fixtures/README.md): every error of a
// value or distinct id case must say what it expects.
std::string check_message(const std::string& message, const Json& expect) {
  if (!expect.contains("message"))
    return "the case has no expected message; the core says \"" + message + "\"";
  if (expect["message"] != message)
    return "message \"" + message + "\", expected " + expect["message"].dump();
  return "";
}

// Checks a Result<Json> and its message against {"value": v} or {"error": code, "message": text}.
// Empty string = pass.
std::string check_result(const Result<Json>& r, const std::string& message, const Json& expect) {
  std::string why;
  if (expect.contains("error")) {
    if (r.ok())
      return "expected error " + expect["error"].get<std::string>() + ", got value " +
             show(r.value());
    if (expect["error"] != error_name(r.error())) {
      return "expected error " + expect["error"].get<std::string>() + ", got " +
             error_name(r.error());
    }
    return check_message(message, expect);
  }
  if (!expect.contains("value")) return "expect has neither value nor error";
  if (!r.ok()) return std::string("expected a value, got error ") + error_name(r.error());
  if (!same(expect["value"], r.value(), &why)) return why;
  return "";
}

std::string check_ok_or_error(Error e, const std::string& message, const Json& expect) {
  if (expect.contains("error")) {
    if (expect["error"] != error_name(e)) {
      return "expected error " + expect["error"].get<std::string>() + ", got " + error_name(e);
    }
    return check_message(message, expect);
  }
  if (expect.value("ok", false) != true) return "expect has neither ok nor error";
  return e == Error::ok ? "" : std::string("expected ok, got ") + error_name(e);
}

std::string run_values_case(const Config& config, const Json& c) {
  if (!c.contains("key") || !c["key"].is_string() || !c.contains("input"))
    return "case needs key and input";
  std::string message;
  const Result<Json> r = validate_write(config, c["key"].get<std::string>(), c["input"], &message);
  return check_result(r, message, c["expect"]);
}

template <class T>
std::string check_canonical(const Result<T>& r, const Json& expect, Json (*to_json)(const T&)) {
  if (expect.contains("error")) {
    if (r.ok())
      return "expected error " + expect["error"].get<std::string>() + ", got ok " +
             show(to_json(r.value()));
    if (expect["error"] != error_name(r.error())) {
      return "expected error " + expect["error"].get<std::string>() + ", got " +
             error_name(r.error());
    }
    return "";
  }
  if (!r.ok()) return std::string("expected ok, got error ") + error_name(r.error());
  std::string why;
  if (expect.contains("canonical") && !same(expect["canonical"], to_json(r.value()), &why)) {
    return "canonical form: " + why;
  }
  return "";
}

TEST(Fixtures, EveryValueCase) {
  const fs::path dir = fs::path(ATTRKIT_FIXTURES_DIR) / "values";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty()) << "no fixtures in " << dir;

  int passed = 0, failed = 0, writes = 0;
  std::set<std::string> names;
  for (const fs::path& path : files) {
    const std::string file = path.filename().string();
    std::ifstream in(path, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(doc.is_discarded()) << file << ": not JSON";
    ASSERT_TRUE(doc.contains("kind") && doc.contains("cases") && doc["cases"].is_array()) << file;
    ASSERT_FALSE(doc["cases"].empty()) << file << ": no cases";
    const std::string kind = doc["kind"].get<std::string>();

    Config config;
    if (kind == "values") {
      std::string error;
      const Json definitions = expand(doc.value("definitions", Json::array()), &error);
      ASSERT_TRUE(error.empty()) << file << ": " << error;
      const Result<Config> parsed = parse_config(Json{{"workspace", "fixtures"},
                                                      {"clientAttributeWrites", true},
                                                      {"definitionsVersion", "1"},
                                                      {"attributes", definitions}});
      ASSERT_TRUE(parsed.ok()) << file
                               << ": definitions do not parse: " << error_name(parsed.error());
      config = parsed.value();
    } else {
      ASSERT_TRUE(kind == "distinct_id" || kind == "config" || kind == "definition")
          << file << ": unknown kind " << kind;
    }

    for (const Json& raw : doc["cases"]) {
      const std::string name = raw.value("name", std::string());
      EXPECT_FALSE(name.empty()) << file << ": a case without a name";
      EXPECT_TRUE(names.insert(name).second) << file << ": duplicate case name \"" << name << "\"";
      std::string error;
      const Json c = expand(raw, &error);
      if (error.empty() && !c.contains("expect")) error = "case without expect";
      if (error.empty()) {
        if (kind == "values") {
          error = run_values_case(config, c);
        } else if (kind == "distinct_id") {
          std::string message;
          error = c.contains("input")
                      ? check_ok_or_error(validate_distinct_id(c["input"], &message), message,
                                          c["expect"])
                      : "case needs input";
        } else if (kind == "definition") {
          error = c.contains("definition")
                      ? check_canonical<Definition>(parse_definition(c["definition"]), c["expect"],
                                                    &definition_to_json)
                      : "case needs definition";
        } else if (!c.contains("config")) {
          error = "case needs config";
        } else {
          const Result<Config> parsed = parse_config(c["config"]);
          error = check_canonical<Config>(parsed, c["expect"], &config_to_json);
          if (error.empty() && c.contains("writes")) {
            if (!parsed.ok()) error = "writes need a config that parses";
            for (const Json& w : c["writes"]) {
              if (!error.empty()) break;
              error = w.contains("expect") ? run_values_case(parsed.value(), w)
                                           : "write without expect";
              if (!error.empty()) error = "write " + w.value("key", Json()).dump() + ": " + error;
              ++writes;
            }
          }
        }
      }
      if (error.empty()) {
        ++passed;
      } else {
        ++failed;
        ADD_FAILURE() << file << ": \"" << name << "\": " << error;
      }
    }
  }
  std::printf("[fixtures] %d value cases passed (%d failed) in %zu files, plus %d config writes\n",
              passed, failed, files.size(), writes);
  EXPECT_GE(passed + failed, 180) << "the shared fixtures should hold at least 180 cases";
}

}  // namespace
}  // namespace attrkit
