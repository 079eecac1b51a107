// The one place fuzz/fuzz_engine.cpp touches the Engine's API (core/engine.h). The target speaks in
// the plain structs below; this file turns them into the Engine's calls and reads its answers.
// When the Engine's C++ API changes, only engine_adapter.cpp changes.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"

namespace attrkit {
class Engine;
}

namespace attrkit::fuzz {

struct QueuedWrite {
  std::string id;
  std::int64_t seq = 0;
  std::string distinct_id;  // empty: held (made before any identify)
  std::string attribute;
  bool in_flight = false;
  bool raw = false;  // not yet validated (the config is not known)
};

struct SentWrite {
  std::string id;
  std::string distinct_id;
  std::string attribute;
  Json value;          // null for a clear
  bool clear = false;  // clearAttribute: removes the stored value
  std::int64_t seq = 0;
};

struct TakenBatch {
  std::string id;
  std::vector<SentWrite> writes;  // in body order
  bool remove_unspecified = false;
};

struct EngineEventSeen {
  enum class Kind { delivered, error, other } kind = Kind::other;
  std::string write_id;          // delivered
  std::vector<std::string> ids;  // error: the write ids it names (the ones it failed)
};

struct State {
  std::vector<QueuedWrite> pending, held, outbox;  // as the engine lists them
  std::optional<std::string> in_flight;            // the batch id awaiting its outcome
  bool stopped = false;
  bool configured = false;
  bool provisional = false;  // configured with a cached copy the server has not confirmed
};

struct Limits {
  std::size_t max_held = 500, max_queued = 5000, batch_max_writes = 50;
  double flush_window_ms = 1000;
};

class EngineUnderTest {
 public:
  EngineUnderTest(const std::string& client_id, const Limits& limits);
  ~EngineUnderTest();
  EngineUnderTest(EngineUnderTest&&) noexcept;
  EngineUnderTest& operator=(EngineUnderTest&&) noexcept;

  // Each returns the engine's response as the binding's JSON (engine_json.h), for tracing.
  Json command(const Json& cmd, double now);
  Json write(const Json& request, double now);
  Json clear(const Json& request, double now);  // {"distinctId", "attribute"}
  Json configure(const Json& config, double now, bool provisional = false);
  std::optional<TakenBatch> take_batch(double now, bool flush);
  // outcome: {"batchId", "status"?, "retryAfter"?, "network"?, "timeout"?, "offline"?, "body"?,
  // "jitter"?}; returns false when the engine refused it (unknown batch, malformed outcome).
  bool complete_batch(const Json& outcome, double now);
  double next_wake(double now) const;
  std::vector<EngineEventSeen> take_events();
  State state() const;
  // The page goes away and comes back: save(now) then a new engine restored from it (nullopt
  // while nothing can be stored: the workspace is not known yet).
  std::optional<EngineUnderTest> reload(double now, const Limits& limits);

 private:
  explicit EngineUnderTest(std::unique_ptr<Engine> engine);
  std::unique_ptr<Engine> engine_;
};

}  // namespace attrkit::fuzz
