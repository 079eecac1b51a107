// Against the Engine's typed API (core/engine.h, core/engine_types.h); the responses the target
// traces go through engine_json.h, as the binding's do.
#include "fuzz/engine_adapter.h"

#include <type_traits>
#include <variant>

#include "core/engine.h"
#include "core/engine_json.h"
#include "fuzz/support.h"

namespace attrkit::fuzz {
namespace {

std::string str(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                                                : std::string();
}

std::vector<QueuedWrite> list(const Json& writes, bool raw_list) {
  std::vector<QueuedWrite> out;
  for (const Json& w : writes) {
    QueuedWrite q;
    q.id = str(w, "id");
    q.seq = w["seq"].get<std::int64_t>();
    q.distinct_id = str(w, "distinctId");
    q.attribute = str(w, "attribute");
    q.in_flight = w.value("inFlight", false);
    q.raw = raw_list || w.value("raw", false);
    out.push_back(std::move(q));
  }
  return out;
}

EngineLimits engine_limits_of(const Limits& l) {
  EngineLimits e;
  e.max_held = l.max_held;
  e.max_queued = l.max_queued;
  e.outbox.batch_max_writes = l.batch_max_writes;
  e.outbox.flush_window_ms = l.flush_window_ms;
  return e;
}

}  // namespace

EngineUnderTest::EngineUnderTest(const std::string& client_id, const Limits& limits)
    : engine_(std::make_unique<Engine>(client_id, engine_limits_of(limits))) {}
EngineUnderTest::EngineUnderTest(std::unique_ptr<Engine> engine) : engine_(std::move(engine)) {}
EngineUnderTest::~EngineUnderTest() = default;
EngineUnderTest::EngineUnderTest(EngineUnderTest&&) noexcept = default;
EngineUnderTest& EngineUnderTest::operator=(EngineUnderTest&&) noexcept = default;

// As the Wasm binding calls it (a set pushed again as the same text runs again as parsed), with
// the JSON text as the encoding.
Json EngineUnderTest::command(const Json& cmd, double now) {
  return as_json(engine_->command_encoded(cmd.dump(), [&] { return cmd; }, now));
}
Json EngineUnderTest::write(const Json& request, double now) {
  return as_json(engine_->write(request, now));
}
Json EngineUnderTest::clear(const Json& request, double now) {
  return as_json(engine_->clear(request, now));
}
Json EngineUnderTest::configure(const Json& config, double now, bool provisional) {
  return as_json(engine_->configure(config, now, provisional));
}

std::optional<TakenBatch> EngineUnderTest::take_batch(double now, bool flush) {
  const std::optional<Batch> b = flush ? engine_->take_flush(now) : engine_->take_batch(now);
  if (!b) return std::nullopt;
  TakenBatch t;
  t.id = b->id;
  t.remove_unspecified = b->body.value("removeUnspecified", false);
  for (const Json& w : b->body["writes"]) {
    SentWrite s;
    s.id = str(w, "id");
    s.distinct_id = str(w, "distinctId");
    s.attribute = str(w, "attribute");
    s.clear = w.value("clear", false);
    if (w.contains("value")) s.value = w["value"];
    check(s.clear != w.contains("value"), "a batch entry with both or neither of value and clear",
          w);
    s.seq = w["seq"].get<std::int64_t>();
    t.writes.push_back(std::move(s));
  }
  check(b->write_ids.size() == t.writes.size(), "batch write_ids differ from its body", b->body);
  for (std::size_t i = 0; i < t.writes.size(); ++i)
    check(b->write_ids[i] == t.writes[i].id, "batch write_ids out of body order", b->body);
  return t;
}

bool EngineUnderTest::complete_batch(const Json& outcome, double now) {
  return !engine_->complete_batch(outcome, now).error.has_value();
}

double EngineUnderTest::next_wake(double now) const { return engine_->next_wake(now); }

std::vector<EngineEventSeen> EngineUnderTest::take_events() {
  std::vector<EngineEventSeen> out;
  for (const EngineEvent& e : engine_->take_events()) {
    EngineEventSeen s;
    std::visit(
        [&s](const auto& ev) {
          using T = std::decay_t<decltype(ev)>;
          if constexpr (std::is_same_v<T, DeliveredEvent>) {
            s.kind = EngineEventSeen::Kind::delivered;
            s.write_id = ev.write_id;
          } else if constexpr (std::is_same_v<T, ErrorEvent>) {
            s.kind = EngineEventSeen::Kind::error;
            s.ids = ev.write_ids;
          }
        },
        e);
    out.push_back(std::move(s));
  }
  return out;
}

State EngineUnderTest::state() const {
  const Json j = engine_->inspect();
  State s;
  s.pending = list(j["pending"], true);
  s.held = list(j["held"], false);
  s.outbox = list(j["outbox"], false);
  if (j.contains("inFlight")) s.in_flight = j["inFlight"].get<std::string>();
  s.stopped = j.contains("stopped");
  s.configured = j["configured"].get<bool>();
  s.provisional = j.contains("provisional");
  return s;
}

std::optional<EngineUnderTest> EngineUnderTest::reload(double now, const Limits& limits) {
  const Json saved = engine_->save(now);
  if (saved.is_null()) return std::nullopt;
  Result<Engine> restored =
      Engine::restore(saved, saved["workspace"].get<std::string>(), engine_limits_of(limits));
  check(restored.ok(), "an engine cannot restore its own saved state", saved);
  return EngineUnderTest(std::make_unique<Engine>(std::move(restored).value()));
}

}  // namespace attrkit::fuzz
