// Against the Engine's JSON API (core/engine.h as of this writing).
#include "fuzz/engine_adapter.h"

#include "core/engine.h"
#include "fuzz/support.h"

namespace attrkit::fuzz {
namespace {

std::string str(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
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

Json EngineUnderTest::command(const Json& cmd, double now) { return engine_->command(cmd, now); }
Json EngineUnderTest::write(const Json& request, double now) { return engine_->write(request, now); }
Json EngineUnderTest::configure(const Json& config, double now) { return engine_->configure(config, now); }

std::optional<TakenBatch> EngineUnderTest::take_batch(double now, bool flush) {
  const Json b = flush ? engine_->take_flush(now) : engine_->take_batch(now);
  if (b.is_null()) return std::nullopt;
  TakenBatch t;
  t.id = str(b, "batchId");
  const Json& body = b["body"];
  t.remove_unspecified = body.value("removeUnspecified", false);
  for (const Json& w : body["writes"]) {
    SentWrite s;
    s.id = str(w, "id");
    s.distinct_id = str(w, "distinctId");
    s.attribute = str(w, "attribute");
    s.value = w["value"];
    s.seq = w["seq"].get<std::int64_t>();
    t.writes.push_back(std::move(s));
  }
  check(b["writeIds"].size() == t.writes.size(), "batch writeIds differ from its body", b);
  return t;
}

bool EngineUnderTest::complete_batch(const Json& outcome, double now) {
  const Json r = engine_->complete_batch(outcome, now);
  check(r.is_object() && r.contains("ok"), "complete_batch answered without ok", r);
  return r["ok"].get<bool>();
}

double EngineUnderTest::next_wake(double now) const { return engine_->next_wake(now); }

std::vector<EngineEventSeen> EngineUnderTest::take_events() {
  std::vector<EngineEventSeen> out;
  for (const Json& e : engine_->take_events()) {
    EngineEventSeen s;
    const std::string type = str(e, "type");
    if (type == "delivered") {
      s.kind = EngineEventSeen::Kind::delivered;
      s.write_id = str(e, "writeId");
      for (const Json& id : e["superseded"]) s.ids.push_back(id.get<std::string>());
    } else if (type == "error") {
      s.kind = EngineEventSeen::Kind::error;
      if (e.contains("writeIds"))
        for (const Json& id : e["writeIds"]) s.ids.push_back(id.get<std::string>());
    }
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
  return s;
}

std::optional<EngineUnderTest> EngineUnderTest::reload(double now, const Limits& limits) {
  const Json saved = engine_->save(now);
  if (saved.is_null()) return std::nullopt;
  Result<Engine> restored = Engine::restore(saved, saved["workspace"].get<std::string>(), engine_limits_of(limits));
  check(restored.ok(), "an engine cannot restore its own saved state", saved);
  return EngineUnderTest(std::make_unique<Engine>(std::move(restored).value()));
}

}  // namespace attrkit::fuzz
