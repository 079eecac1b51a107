// Runs the scripted engine scenarios of tests/fixtures/scenarios/*.json against the native Engine,
// through the serialiser the binding uses (core/engine_json.h).
// The Wasm suite (tests/js/core_engine.test.mjs) runs the same files; docs/engine.md has the
// format.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "core/engine.h"
#include "core/engine_json.h"
#include "engine_test_support.h"

namespace attrkit {
namespace {

using testing_support::match;
using testing_support::materialize;

// "$stored" as a complete_batch body: the server stored every write of the batch as sent.
Json stored_body(const Json& batch) {
  Json results = Json::array();
  for (const Json& w : batch["body"]["writes"])
    results.push_back({{"id", w["id"]},
                       {"ok", true},
                       {"personId", "p_" + w["distinctId"].get<std::string>()},
                       {"attribute", w["attribute"]},
                       {"value", w["value"]}});
  return {{"results", results}};
}

struct Runner {
  Json file_config;
  EngineLimits limits;
  std::unique_ptr<Engine> engine;
  Json last_batch;
  Json last_snapshot;

  // Runs one step and returns what its "expect" is matched against.
  Json step(const Json& s, std::string* error) {
    const std::string op = s.value("op", "");
    const double now = s.value("now", 0.0);
    const Json args = materialize(s.value("args", Json()));
    if (op == "configure")
      return as_json(engine->configure(s.contains("config") ? s["config"] : file_config, now,
                                       s.value("provisional", false)));
    // As the Wasm binding calls it: a set pushed again as the same text is run again as parsed.
    if (op == "command")
      return as_json(engine->command_encoded(args.dump(), [&] { return args; }, now));
    if (op == "write") return as_json(engine->write(args, now));
    if (op == "take_batch") {
      const Json b = as_json(engine->take_batch(now, s.value("flush", false)));
      if (!b.is_null()) last_batch = b;
      return b;
    }
    if (op == "complete_batch") {
      Json outcome = args.is_object() ? args : Json::object();
      if (!outcome.contains("batchId")) outcome["batchId"] = last_batch.value("batchId", "");
      if (outcome.value("body", Json()) == "$stored") outcome["body"] = stored_body(last_batch);
      return as_json(engine->complete_batch(outcome, now));
    }
    if (op == "events") return as_json(engine->take_events());
    if (op == "next_wake") return engine->next_wake(now);
    if (op == "snapshot") return last_snapshot = engine->snapshot();
    if (op == "inspect") return engine->inspect();
    if (op == "reload" || op == "restore") {
      const Json snap = op == "reload" ? engine->snapshot() : args;
      const std::string workspace =
          s.value("workspace", snap.is_object() ? snap.value("workspace", "") : "");
      Result<Engine> r = Engine::restore(snap, workspace, limits);
      if (!r.ok()) return {{"ok", false}, {"error", {{"code", error_name(r.error())}}}};
      engine = std::make_unique<Engine>(std::move(r).value());
      return {{"ok", true}};
    }
    if (op == "load_snapshot") {
      const Json snap = args.is_null() ? last_snapshot : args;
      return loaded_as_json(engine->load_snapshot(snap, s.value("workspace", ""), now));
    }
    *error = "unknown op " + op;
    return Json();
  }
};

TEST(Scenarios, EveryScriptRuns) {
  int scenarios = 0;
  int steps = 0;
  int files = 0;
  for (const auto& path : testing_support::fixture_files("scenarios")) {
    const Json doc = testing_support::read_json_file(path);
    ++files;
    ASSERT_EQ(doc.value("kind", ""), "scenarios") << path;
    for (const Json& sc : doc["scenarios"]) {
      ++scenarios;
      const std::string name = path.filename().string() + ": " + sc.value("name", "?");
      Runner run;
      run.file_config = sc.contains("config") ? sc["config"] : doc.value("config", Json());
      run.limits = engine_limits(sc.value("limits", Json()));
      run.engine = std::make_unique<Engine>(sc.value("clientId", "c1"), run.limits);
      int k = 0;
      for (const Json& s : sc["steps"]) {
        ++steps;
        ++k;
        std::string error;
        const Json actual = run.step(s, &error);
        ASSERT_EQ(error, "") << name << " step " << k;
        if (!s.contains("expect")) continue;
        const std::string diff = match(s["expect"], actual);
        EXPECT_EQ(diff, "") << name << " step " << k << " (" << s.value("op", "") << ")"
                            << (s.contains("note") ? " " + s["note"].get<std::string>() : "");
        if (!diff.empty()) break;  // later steps depend on this one
      }
    }
  }
  std::printf("[ scenarios ] %d scenarios, %d steps in %d files\n", scenarios, steps, files);
  EXPECT_GT(scenarios, 0);
}

}  // namespace
}  // namespace attrkit
