// Snapshot restore and adopt (core/snapshot.h, Engine::restore / load_snapshot / adopt).
// Input: {"snapshot": s, "adopt"?: s2, "now"?: ms}; seeded from the persistence scenarios.
// Checks: never crashes or throws; what snapshot_from_json accepts serialises back to a document
// it accepts again with the same writes; an engine restored from it lists every write it kept in
// its own snapshot, and survives load/adopt/save/take_batch/inspect; results are well formed.
#include <cstdint>
#include <set>
#include <string>
#include <variant>

#include "core/engine.h"
#include "core/engine_json.h"
#include "core/snapshot.h"
#include "fuzz/support.h"

using namespace attrkit;

namespace {

const Json& config() {
  static const Json c = Json::parse(R"({"workspace": "acme", "clientAttributeWrites": true,
    "definitionsVersion": "v1", "attributes": [
      {"key": "plan", "type": "single_choice", "options": ["Free", "Pro"]},
      {"key": "role", "type": "string"},
      {"key": "team_size", "type": "number", "min": 1, "max": 10000, "integer": true},
      {"key": "signup_date", "type": "date"},
      {"key": "bio", "type": "string", "max_length": 10},
      {"key": "old", "type": "string", "archived": true}]})");
  return c;
}

std::set<std::string> ids_of(const Json& snapshot) {
  std::set<std::string> ids;
  if (snapshot.is_object() && snapshot.contains("writes") && snapshot["writes"].is_array())
    for (const Json& w : snapshot["writes"])
      if (w.is_object() && w.contains("id") && w["id"].is_string())
        ids.insert(w["id"].get<std::string>());
  return ids;
}

void check_result(const Json& r, const char* what, const Json& input) {
  fuzz::check(r.is_object() && r.contains("ok") && r["ok"].is_boolean(), what, input);
  if (!r["ok"].get<bool>())
    fuzz::check(r.contains("error") && r["error"].is_object() && r["error"].contains("code"), what,
                input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Json input;
  if (!fuzz::read_json(data, size, &input)) return 0;
  if (!input.is_object() || !input.contains("snapshot")) return 0;
  const Json& snap = input["snapshot"];
  const Json adopted = input.contains("adopt") ? input["adopt"] : Json();
  const double now =
      input.contains("now") && input["now"].is_number() ? input["now"].get<double>() : 1000.0;
  // The stored workspace, so the fuzzer is not stopped by snapshot_foreign at every try.
  const std::string workspace =
      snap.is_object() && snap.contains("workspace") && snap["workspace"].is_string()
          ? snap["workspace"].get<std::string>()
          : std::string("acme");

  Result<SnapshotData> parsed = snapshot_from_json(snap, workspace);
  if (parsed.ok()) {
    const Json again = snapshot_to_json(parsed.value());
    Result<SnapshotData> reparsed = snapshot_from_json(again, workspace);
    fuzz::check(reparsed.ok(), "snapshot_to_json output is refused", again);
    fuzz::check(fuzz::dump(snapshot_to_json(reparsed.value())) == fuzz::dump(again),
                "snapshot does not round-trip", again);
  } else {
    const Error e = parsed.error();
    fuzz::check(e == Error::snapshot_invalid || e == Error::snapshot_foreign ||
                    e == Error::snapshot_version,
                "snapshot refused with another code", input);
  }

  // A reload: restore, configure, and the stored writes are all still there (or failed as stale).
  Result<Engine> restored = Engine::restore(snap, workspace);
  fuzz::check(restored.ok() == parsed.ok(), "Engine::restore disagrees with snapshot_from_json",
              input);
  if (restored.ok()) {
    Engine& e = restored.value();
    (void)e.configure(config(), now);
    std::set<std::string> failed;
    for (const EngineEvent& ev : e.take_events())
      if (const ErrorEvent* err = std::get_if<ErrorEvent>(&ev))
        failed.insert(err->write_ids.begin(), err->write_ids.end());
    const std::set<std::string> after = ids_of(e.snapshot());
    // (Under another workspace's config the stored writes are that workspace's business.)
    for (const std::string& id : workspace == "acme" ? ids_of(snap) : std::set<std::string>())
      fuzz::check(after.count(id) || failed.count(id), "a restored write vanished without an event",
                  input);
    if (!adopted.is_null())
      check_result(adopted_as_json(e.adopt(adopted, workspace, now)), "adopt result", input);
    (void)e.take_batch(now + 2000);
    (void)e.save(now + 2000);
    (void)e.inspect();
    (void)e.take_events();
  }

  // A running page merging stored state, then adopting another tab's.
  Engine page("c9", {}, "t1");
  (void)page.configure(config(), now);
  (void)page.command(Json::parse(R"(["do", "identify", ["u1"]])"), now);
  (void)page.command(Json::parse(R"(["set", "user:attributes", [{"plan": "Pro"}]])"), now);
  check_result(loaded_as_json(page.load_snapshot(snap, workspace, now)), "load_snapshot result",
               input);
  check_result(adopted_as_json(page.adopt(adopted.is_null() ? snap : adopted, workspace, now)),
               "adopt result", input);
  (void)page.take_batch(now + 2000, true);
  const Json saved = page.save(now + 2000);
  (void)page.inspect();
  (void)page.take_events();
  fuzz::check(snapshot_from_json(saved, "acme").ok(), "an engine saved a snapshot it cannot read",
              saved);
  return 0;
}
