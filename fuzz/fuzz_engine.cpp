// The stateful engine target: random sequences of commands, Promise-API writes and clears, configs,
// batches and their outcomes, clock steps and reloads, driven through fuzz/engine_adapter.h. After
// every step it checks the Engine's promises (DESIGN §4, §5; core/engine.h):
//   - no write lost: a write the engine listed either is still listed, or has exactly one final
//     report (a "delivered" event, an "error" event naming it, or a newer write of the same
//     person and attribute that replaced it: coalescing);
//   - nothing applied twice: a write has at most one final report and is never sent after it;
//   - order per person and attribute: a write made after a person was identified is first sent
//     after every older such write of that person and attribute (writes held before identify
//     are exempt: the server's seq rule ranks them, DESIGN §7), and in seq order inside a batch;
//   - bounds: writes waiting for a config or an identify <= max_held, all writes <= max_queued,
//     at most one batch in flight (take_batch gives nothing while one is), and a wrong batch id
//     changes nothing.
// At the end, a healthy server and the clock drain the outbox: every write made for a person is
// delivered or reported, unless sending stopped.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "fuzz/engine_adapter.h"
#include "fuzz/support.h"

using namespace attrkit;
using namespace attrkit::fuzz;

namespace {

const char* const kConfigs[] = {
    R"({"workspace": "acme", "clientAttributeWrites": true, "definitionsVersion": "v1", "attributes": [
      {"key": "plan", "type": "single_choice", "options": ["Free", "Pro"]},
      {"key": "role", "type": "string"},
      {"key": "team_size", "type": "number", "min": 1, "max": 10000, "integer": true},
      {"key": "signup_date", "type": "date"},
      {"key": "bio", "type": "string", "max_length": 10},
      {"key": "old", "type": "string", "archived": true}]})",
    // a newer version: plan gone, role archived
    R"({"workspace": "acme", "clientAttributeWrites": true, "definitionsVersion": "v2", "attributes": [
      {"key": "role", "type": "string", "archived": true},
      {"key": "team_size", "type": "number"},
      {"key": "bio", "type": "string"}]})",
    R"({"workspace": "acme", "clientAttributeWrites": false, "definitionsVersion": "v3", "attributes": [
      {"key": "plan", "type": "single_choice", "options": ["Free", "Pro"]}]})",
    R"({"workspace": "acme", "attributes": 7})",
};
const char* const kIds[] = {"u1", "u2", "u3", "", "null"};
const char* const kKeys[] = {"plan", "role", "team_size", "signup_date", "bio",
                             "old",  "nope", "name",      "email"};
const char* const kValues[] = {
    R"("Pro")", R"("free")", R"("Gold")",       R"("admin")",          "3",      "0",
    "20000",    R"("7")",    R"("2024-06-15")", R"("2024-02-30")",     R"("x")", R"("0123456789a")",
    "true",     "null",      R"(["a"])",        R"("sam@example.com")"};

// ATTRKIT_FUZZ_TRACE=1 prints every step (to read a crash: build/asan/fuzz/fuzz_engine <file>).
void trace(const char* what, const Json& detail = Json()) {
  static const bool on = std::getenv("ATTRKIT_FUZZ_TRACE") != nullptr;
  if (on) std::fprintf(stderr, "step: %s %s\n", what, detail.is_null() ? "" : dump(detail).c_str());
}

template <typename T, std::size_t N>
const T& pick(FuzzedDataProvider& in, const T (&pool)[N]) {
  return pool[in.ConsumeIntegralInRange<std::size_t>(0, N - 1)];
}

Json attributes(FuzzedDataProvider& in) {
  Json a = json_object();
  for (int n = in.ConsumeIntegralInRange(1, 3); n > 0; --n)
    a[pick(in, kKeys)] = Json::parse(pick(in, kValues));
  return a;
}

Json command(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange(0, 9)) {
    case 0:
    case 1: return Json::array({"do", "identify", Json::array({pick(in, kIds)})});
    case 2: return Json::array({"do", "reset", json_array()});
    case 3: {
      Json options = json_object();
      if (in.ConsumeBool()) options["refetchBoosted"] = true;
      if (in.ConsumeBool()) options["removeUnspecified"] = true;
      return Json::array({"set", "user:attributes", Json::array({attributes(in), options})});
    }
    case 4: return Json::array({"set", "user:name", Json::array({Json::parse(pick(in, kValues))})});
    case 5:
      return Json::array({"set", "user:email", Json::array({Json::parse(pick(in, kValues))})});
    case 6: return Json::array({"get", "user:attributes", json_array()});
    case 7: return Json::array({"set", "user:attributes", "not args"});
    default: return Json::array({"set", "user:attributes", Json::array({attributes(in)})});
  }
}

// What the reference server would answer for `b`; `shape` picks a failure mode.
Json outcome(FuzzedDataProvider& in, const TakenBatch& b) {
  Json o = json_object();
  o["batchId"] = b.id;
  o["jitter"] = in.ConsumeFloatingPointInRange(0.0, 0.999);
  const int shape = in.ConsumeIntegralInRange(0, 11);
  if (shape <= 4) {  // 200, every write stored (shape 3: some refused, 4: one result missing)
    Json results = json_array();
    for (const SentWrite& w : b.writes) {
      Json r = json_object();
      r["id"] = w.id;
      if (shape == 3 && in.ConsumeBool()) {
        r["ok"] = false;
        r["error"] =
            Json{{"code", "attribute_value_invalid"}, {"message", "refused by the server"}};
      } else {
        r["ok"] = true;
        r["personId"] = "p-" + w.distinct_id;
        r["attribute"] = w.attribute;
        r["value"] = w.value;
      }
      results.push_back(std::move(r));
    }
    if (shape == 4 && !results.empty()) results.erase(results.begin());
    o["status"] = 200;
    o["body"] = Json{{"results", std::move(results)}};
    return o;
  }
  switch (shape) {
    case 5: o["status"] = 500; break;
    case 6:
      o["status"] = 429;
      o["retryAfter"] = in.ConsumeIntegralInRange(0, 400);
      break;
    case 7: o["network"] = true; break;
    case 8: o["offline"] = true; break;
    case 9: o["status"] = in.ConsumeBool() ? 400 : 413; break;
    case 10:
      o["status"] = 200;
      o["body"] = "not json";
      break;
    default:
      o["status"] = in.ConsumeBool() ? 401 : 403;
      o["body"] = Json{
          {"error",
           {{"code", o["status"] == 401 ? "invalid_key" : "client_attribute_writes_disabled"}}}};
  }
  return o;
}

class Checker {
 public:
  explicit Checker(Limits limits) : limits_(limits) {}

  // After every step: the engine's events and its listed writes against what was listed before.
  void after_step(EngineUnderTest& e) {
    for (const EngineEventSeen& ev : e.take_events()) {
      if (ev.kind == EngineEventSeen::Kind::delivered) {
        // (It only counts the writes it replaced: those left the lists earlier, as "replaced".)
        final_report(ev.write_id, "delivered");
      } else if (ev.kind == EngineEventSeen::Kind::error) {
        for (const std::string& id : ev.ids) {
          if (done_.count(id) && done_[id] == "replaced") done_[id] = "failed";
          else final_report(id, "failed");
        }
      }
    }
    const State s = e.state();
    std::map<std::string, QueuedWrite> now;
    for (const auto* l : {&s.pending, &s.held, &s.outbox})
      for (const QueuedWrite& w : *l) {
        check(!now.count(w.id), "a write listed twice", w.id);
        now[w.id] = w;
        if (w.distinct_id.empty()) ever_held_.insert(w.id);
        check(!done_.count(w.id) || done_[w.id] == "replaced",
              "a write listed after its final report", w.id);
      }
    for (const auto& [id, w] : listed_) {
      if (now.count(id) || done_.count(id)) continue;
      // Gone without a report: only coalescing may do that, for a newer write of the same pair.
      // A held write (no distinct id yet) takes the identity at identify, so there the person
      // is whoever was identified.
      // The newer write may have been reported in this very step (a reload coalesces an in-flight
      // write into a newer one, which a config that refuses writes then fails), so the listing
      // before the step counts too.
      bool replaced = false;
      for (const auto* listing : {&now, &listed_})
        for (const auto& [other, v] : *listing)
          if ((v.distinct_id == w.distinct_id || w.distinct_id.empty()) &&
              v.attribute == w.attribute && v.seq > w.seq)
            replaced = true;
      check(replaced, "a write vanished without a delivered or error event", id);
      done_[id] = "replaced";
    }
    listed_ = std::move(now);
    check(s.pending.size() + s.held.size() <= limits_.max_held, "more writes held than max_held",
          s.held.size());
    check(listed_.size() <= limits_.max_queued, "more writes queued than max_queued",
          listed_.size());
    check(s.in_flight.has_value() == batch_.has_value() || (!batch_ && !s.in_flight),
          "the engine's batch in flight differs from the one taken", s.in_flight.value_or(""));
    stopped_ = s.stopped;
    configured_ = s.configured;
    provisional_ = s.provisional;
  }

  void taken(const std::optional<TakenBatch>& b) {
    if (batch_) check(!b, "a second batch while one is in flight", b ? b->id : "");
    if (!b) return;
    check(!b->writes.empty(), "an empty batch");
    std::map<std::pair<std::string, std::string>, std::int64_t> in_batch;
    for (const SentWrite& w : b->writes) {
      check(!done_.count(w.id) || done_[w.id] == "replaced", "a write sent after its final report",
            w.id);
      check(!w.distinct_id.empty(), "a write sent without a distinct id", w.id);
      const auto key = std::make_pair(w.distinct_id, w.attribute);
      if (in_batch.count(key))
        check(in_batch[key] < w.seq, "writes of one person and attribute out of order in a batch",
              w.id);
      in_batch[key] = w.seq;
      if (!sent_.insert(w.id).second || ever_held_.count(w.id)) continue;
      auto& last = first_sent_[key];
      check(w.seq > last, "an older write sent after a newer one of the same person and attribute",
            w.id);
      last = w.seq;
    }
    batch_ = b;
  }

  void completed(bool accepted, bool right_id) {
    check(accepted == right_id, right_id ? "the engine refused the outcome of its batch"
                                         : "a wrong batch id was accepted");
    if (accepted) batch_.reset();
  }
  void page_gone() { batch_.reset(); }

  // The end: every write the engine ever listed for a person is reported, unless sending stopped
  // or the write is still waiting for a config or an identify.
  void at_end(EngineUnderTest& e, double now) {
    // A provisional config sends nothing until the server's copy is applied: apply it.
    if (provisional_) {
      e.configure(Json::parse(kConfigs[0]), now);
      after_step(e);
    }
    for (int i = 0; i < 2000 && !stopped_; ++i) {
      if (batch_) {
        Json o = json_object();
        o["batchId"] = batch_->id;
        o["status"] = 200;
        Json results = json_array();
        for (const SentWrite& w : batch_->writes)
          results.push_back(Json{{"id", w.id},
                                 {"ok", true},
                                 {"personId", "p"},
                                 {"attribute", w.attribute},
                                 {"value", w.value}});
        o["body"] = Json{{"results", std::move(results)}};
        completed(e.complete_batch(o, now), true);
        after_step(e);
        continue;
      }
      const double wake = e.next_wake(now);
      if (wake < 0) break;
      now = std::max(now, wake);
      taken(e.take_batch(now, false));
      after_step(e);
    }
    if (stopped_ || !configured_) return;
    const State s = e.state();
    check(s.outbox.empty(), "writes left in the outbox with a healthy server", s.outbox.size());
  }

 private:
  void final_report(const std::string& id, const char* how) {
    check(!done_.count(id) || done_[id] == "replaced", "a write reported twice", id);
    done_[id] = how;
  }

  Limits limits_;
  std::map<std::string, QueuedWrite> listed_;
  std::map<std::string, std::string> done_;  // id -> delivered | failed | replaced
  std::set<std::string> ever_held_, sent_;
  std::map<std::pair<std::string, std::string>, std::int64_t> first_sent_;
  std::optional<TakenBatch> batch_;
  bool stopped_ = false, configured_ = false, provisional_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  Limits limits;
  limits.max_held = in.ConsumeIntegralInRange<std::size_t>(1, 8);
  limits.max_queued = in.ConsumeIntegralInRange<std::size_t>(1, 16);
  limits.batch_max_writes = in.ConsumeIntegralInRange<std::size_t>(1, 6);
  limits.flush_window_ms = in.ConsumeIntegralInRange(1, 2000);
  trace("limits", Json{{"maxHeld", limits.max_held},
                       {"maxQueued", limits.max_queued},
                       {"batchMaxWrites", limits.batch_max_writes},
                       {"flushWindowMs", limits.flush_window_ms}});
  EngineUnderTest engine("c1", limits);
  Checker checker(limits);
  double now = 1000;
  std::optional<TakenBatch> batch;
  for (int step = 0; step < 200 && in.remaining_bytes() > 0; ++step) {
    switch (in.ConsumeIntegralInRange(0, 11)) {
      case 0:
      case 1:
      case 2: {
        const Json cmd = command(in);
        trace("command", Json{{"now", now}, {"cmd", cmd}, {"response", engine.command(cmd, now)}});
        break;
      }
      case 3: {
        Json request = json_object();
        request["distinctId"] = pick(in, kIds);
        request["attributes"] = attributes(in);
        if (in.ConsumeBool()) request["removeUnspecified"] = true;
        trace("write",
              Json{{"now", now}, {"request", request}, {"response", engine.write(request, now)}});
        break;
      }
      case 4: {
        // Provisional: a cached copy before the server answered (docs/engine.md).
        const Json config = Json::parse(pick(in, kConfigs));
        const bool provisional = in.ConsumeBool();
        trace("configure", Json{{"now", now},
                                {"version", config.value("definitionsVersion", "")},
                                {"provisional", provisional},
                                {"response", engine.configure(config, now, provisional)}});
        break;
      }
      case 5:
      case 6: {
        const std::optional<TakenBatch> b = engine.take_batch(now, in.ConsumeBool());
        trace("take_batch",
              Json{{"now", now}, {"batch", b ? b->id : ""}, {"writes", b ? b->writes.size() : 0}});
        checker.taken(b);
        if (b) batch = b;
        break;
      }
      case 8: {
        Json request = json_object();
        request["distinctId"] = pick(in, kIds);
        request["attribute"] = pick(in, kKeys);
        trace("clear",
              Json{{"now", now}, {"request", request}, {"response", engine.clear(request, now)}});
        break;
      }
      case 7: {
        if (!batch) break;
        const bool right = in.ConsumeIntegralInRange(0, 9) != 0;
        Json o = outcome(in, *batch);
        if (!right) o["batchId"] = "b-unknown";
        trace("complete_batch", Json{{"now", now}, {"outcome", o}});
        checker.completed(engine.complete_batch(o, now), right);
        if (right) batch.reset();
        break;
      }
      case 9: {
        const int scale = in.ConsumeIntegralInRange(0, 3);
        const double unit[] = {1, 100, 60000, 3600000};
        now += unit[scale] * in.ConsumeIntegralInRange(0, 30);
        trace("clock", now);
        break;
      }
      case 10: {
        std::optional<EngineUnderTest> next = engine.reload(now, limits);
        trace("reload", next.has_value());
        checker.after_step(engine);  // events of the final save
        if (next) {
          engine = std::move(*next);
          checker.page_gone();
          batch.reset();
          engine.configure(Json::parse(kConfigs[in.ConsumeIntegralInRange(0, 2)]), now);
        }
        break;
      }
      default: {
        const Json cmd = Json::array({"do", "identify", Json::array({pick(in, kIds)})});
        trace("command", Json{{"now", now}, {"cmd", cmd}, {"response", engine.command(cmd, now)}});
        break;
      }
    }
    checker.after_step(engine);
  }
  checker.at_end(engine, now);
  return 0;
}
