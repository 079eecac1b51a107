// Test support for the engine suites (command, engine, outbox, retry, snapshot, scenarios):
// the shared workspace config, fixture loading, and the partial JSON match the fixtures use
// (docs/engine.md "Fixture formats"). Header-only; every test file includes what it needs.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/command.h"
#include "core/engine_types.h"
#include "core/json.h"
#include "core/outbox.h"

namespace attrkit::testing_support {

// A workspace with one attribute of most types; client-side writes on.
inline Json test_config(bool client_writes = true) {
  Json c = Json::parse(
      R"({"workspace": "acme", "clientAttributeWrites": true, "definitionsVersion": "v1",
    "attributes": [
      {"key": "plan", "type": "single_choice", "options": ["Free", "Pro"]},
      {"key": "role", "type": "string"},
      {"key": "team_size", "type": "number", "min": 1, "max": 10000, "integer": true},
      {"key": "signup_date", "type": "date"},
      {"key": "bio", "type": "string", "max_length": 10},
      {"key": "old", "type": "string", "archived": true}
    ]})");
  c["clientAttributeWrites"] = client_writes;
  return c;
}

// Fixture inputs: {"$fn": true} is a JS function, {"$symbol": true} another non-JSON JS value.
inline Json materialize(const Json& j) {
  if (j.is_array()) {
    Json out = Json::array();
    for (const Json& item : j) out.push_back(materialize(item));
    return out;
  }
  if (!j.is_object()) return j;
  if (j.size() == 1 && j.contains("$fn")) return function_marker();
  if (j.size() == 1 && j.contains("$symbol"))
    return Json::binary(Json::binary_t::container_type{}, 0);
  Json out = Json::object();
  for (const auto& item : j.items()) out[item.key()] = materialize(item.value());
  return out;
}

// Partial match: every key of an expected object must match ({"$absent": true}: must be missing,
// {"$any": true}: anything present); arrays match element-wise with equal length; numbers compare
// by value within 1e-9 relative. Returns "" on a match, else the path and reason of the first
// difference.
inline std::string match(const Json& expect, const Json& actual, const std::string& path = "$") {
  if (expect.is_object()) {
    if (expect.size() == 1 && expect.contains("$any")) return std::string();
    if (!actual.is_object()) return path + ": expected an object, got " + actual.dump();
    for (const auto& item : expect.items()) {
      const bool absent_wanted =
          item.value().is_object() && item.value().size() == 1 && item.value().contains("$absent");
      const auto it = actual.find(item.key());
      if (absent_wanted) {
        if (it != actual.end())
          return path + "." + item.key() + ": expected absent, got " + it->dump();
        continue;
      }
      if (it == actual.end()) return path + "." + item.key() + ": missing";
      std::string diff = match(item.value(), *it, path + "." + item.key());
      if (!diff.empty()) return diff;
    }
    return std::string();
  }
  if (expect.is_array()) {
    if (!actual.is_array() || actual.size() != expect.size())
      return path + ": expected " + expect.dump() + ", got " + actual.dump();
    for (std::size_t k = 0; k < expect.size(); ++k) {
      std::string diff = match(expect[k], actual[k], path + "[" + std::to_string(k) + "]");
      if (!diff.empty()) return diff;
    }
    return std::string();
  }
  if (expect.is_number() && actual.is_number()) {
    // Times computed with a jitter factor are not exact in binary; 1e-9 relative is far below a ms.
    const double a = expect.get<double>();
    const double b = actual.get<double>();
    if (std::fabs(a - b) <= 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)}))
      return std::string();
  } else if (expect == actual) {
    return std::string();
  }
  return path + ": expected " + expect.dump() + ", got " + actual.dump();
}

// The events of one type, in order.
template <class T>
std::vector<T> events_of(const Events& events) {
  std::vector<T> out;
  for (const EngineEvent& e : events)
    if (const T* x = std::get_if<T>(&e)) out.push_back(*x);
  return out;
}
inline std::vector<ErrorObject> errors_of(const Events& events) {
  std::vector<ErrorObject> out;
  for (const ErrorEvent& e : events_of<ErrorEvent>(events)) out.push_back(e.error);
  return out;
}

// The outcome the runtime reports for `batch` (complete_batch's input document).
inline Json outcome(const std::optional<Batch>& batch, int status, Json body = nullptr) {
  Json o = {{"batchId", batch ? batch->id : std::string()}, {"status", status}, {"jitter", 0.5}};
  if (!body.is_null()) o["body"] = std::move(body);
  return o;
}

inline std::vector<std::filesystem::path> fixture_files(const std::string& folder) {
  std::vector<std::filesystem::path> files;
  const std::filesystem::path dir = std::filesystem::path(ATTRKIT_FIXTURES_DIR) / folder;
  if (std::filesystem::exists(dir))
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

inline Json read_json_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

}  // namespace attrkit::testing_support
