#include "engine_json.h"

#include <type_traits>
#include <variant>

#include "doc_writer.h"
#include "engine.h"
#include "engine_docs.h"
#include "snapshot.h"

namespace attrkit {
const char* effect_name(Effect e) {
  switch (e) {
    case Effect::none: return "none";
    case Effect::init: return "init";
    case Effect::identify: return "identify";
    case Effect::reset: return "reset";
    case Effect::write: return "write";
    case Effect::get: return "get";
    case Effect::on: return "on";
    case Effect::off: return "off";
    case Effect::debug: return "debug";
    case Effect::consent: return "consent";
  }
  return "none";
}

namespace {

const char* outcome_name(BatchOutcome o) {
  switch (o) {
    case BatchOutcome::delivered: return "delivered";
    case BatchOutcome::retry: return "retry";
    case BatchOutcome::offline: return "offline";
    case BatchOutcome::rejected: return "rejected";
    case BatchOutcome::stopped: return "stopped";
  }
  return "rejected";
}

const char* class_name(OutcomeClass c) {
  switch (c) {
    case OutcomeClass::success: return "success";
    case OutcomeClass::retry: return "retry";
    case OutcomeClass::offline: return "offline";
    case OutcomeClass::reject: return "reject";
    case OutcomeClass::stop: return "stop";
  }
  return "reject";
}

Json failed(const ErrorObject& e) {
  Json j = json_object();
  j["ok"] = false;
  j["error"] = as_json(e);
  return j;
}

Json succeeded() {
  Json j = json_object();
  j["ok"] = true;
  return j;
}

template <class T>
Json written(const T& x) {
  JsonWriter w;
  write_doc(w, x);
  return w.take();
}

}  // namespace

// The shape of write_error (engine_docs.h), built directly: the Wasm build needs it for its other
// answers (configure, batches), and a JsonWriter there would cost ~1.4 KB of code.
Json as_json(const ErrorObject& e) {
  Json j = json_object();
  j["code"] = error_name(e.code);
  j["status"] = error_status(e.code);
  j["message"] = e.message;
  if (!e.attribute.empty()) j["attribute"] = e.attribute;
  return j;
}

Json as_json(const CallResult& r) {
  JsonWriter w;
  write_result(w, r);
  return w.take();
}

Json as_json(const Response& r) { return written(r); }

Json as_json(const ConfigureResponse& r) {
  if (r.error) return failed(*r.error);
  Json j = succeeded();
  j["workspace"] = r.workspace;
  j["clientAttributeWrites"] = r.client_attribute_writes;
  j["definitionsVersion"] = r.definitions_version;
  return j;
}

Json as_json(const std::optional<Batch>& b) {
  if (!b) return nullptr;
  Json j = json_object();
  j["batchId"] = b->id;
  j["body"] = b->body;
  j["writeIds"] = b->write_ids;
  j["attempt"] = b->attempt;
  j["bytes"] = b->bytes;
  if (b->remove_unspecified) j["removeUnspecified"] = true;
  return j;
}

Json as_json(const CompleteResponse& r) {
  if (r.error) return failed(*r.error);
  Json j = succeeded();
  j["outcome"] = outcome_name(r.outcome);
  switch (r.outcome) {
    case BatchOutcome::delivered:
      j["delivered"] = r.delivered;
      j["rejected"] = r.rejected;
      break;
    case BatchOutcome::retry:
      j["failed"] = r.failed;
      j["retryAt"] = r.retry_at;
      break;
    case BatchOutcome::offline: j["retryAt"] = r.retry_at; break;
    case BatchOutcome::stopped: j["code"] = error_name(r.stopped); break;
    case BatchOutcome::rejected: break;
  }
  return j;
}

Json as_json(const Events& events) { return written(events); }

Json as_json(const RetryAdvice& a) {
  Json j = json_object();
  j["class"] = class_name(a.kind);
  if (a.delay_ms >= 0) j["delayMs"] = a.delay_ms;
  if (a.code != Error::ok) j["code"] = error_name(a.code);
  return j;
}

Json loaded_as_json(const StoredResponse& r) {
  if (r.error) return failed(*r.error);
  Json j = succeeded();
  j["restored"] = r.writes;
  return j;
}

Json adopted_as_json(const StoredResponse& r) {
  if (r.error) return failed(*r.error);
  Json j = succeeded();
  j["adopted"] = r.writes;
  return j;
}

Json constants_as_json() {
  Json j = json_object();
  j["requestTimeoutMs"] = kRequestTimeoutMs;
  j["offlineRecheckMs"] = kOfflineRecheckMs;
  j["maxTries"] = kMaxTries;
  j["maxWriteAgeMs"] = kMaxWriteAgeMs;
  j["snapshotVersion"] = kSnapshotVersion;
  j["maxStoredAgeMs"] = kMaxStoredAgeMs;
  j["maxSnapshotBytes"] = kMaxSnapshotBytes;
  j["keepaliveMaxBytes"] = kKeepaliveMaxBytes;
  return j;
}

ErrorObject error_from_json(const Json& j) {
  ErrorObject e;
  if (!j.is_object()) return e;
  const auto code = j.find("code");
  if (code != j.end() && code->is_string())
    e.code = error_from_name(code->get_ref<const std::string&>());
  const auto message = j.find("message");
  if (message != j.end() && message->is_string())
    e.message = message->get_ref<const std::string&>();
  return e;
}

const char* call_kind_name(CallKind k) {
  switch (k) {
    case CallKind::init: return "init";
    case CallKind::identify: return "identify";
    case CallKind::reset: return "reset";
    case CallKind::set_name: return "set_name";
    case CallKind::set_email: return "set_email";
    case CallKind::set_language: return "set_language";
    case CallKind::set_attributes: return "set_attributes";
    case CallKind::get_attributes: return "get_attributes";
    case CallKind::on: return "on";
    case CallKind::off: return "off";
    case CallKind::debug: return "debug";
    case CallKind::consent: return "consent";
    case CallKind::write: return "write";
    case CallKind::clear: return "clear";
  }
  return "unknown";
}

const char* event_name(EventName e) {
  switch (e) {
    case EventName::error: return "error";
    case EventName::ready: return "ready";
    case EventName::identified: return "identified";
    case EventName::delivered: return "delivered";
  }
  return "error";
}

bool event_from_name(const std::string& name, EventName* out) {
  for (EventName e :
       {EventName::error, EventName::ready, EventName::identified, EventName::delivered}) {
    if (name == event_name(e)) {
      *out = e;
      return true;
    }
  }
  return false;
}

Json command_to_json(const Command& c) {
  Json j = json_object();
  j["kind"] = call_kind_name(call_kind(c.kind));
  switch (c.kind) {
    case CommandKind::init: j["options"] = c.options; break;
    case CommandKind::identify: j["distinctId"] = c.distinct_id; break;
    case CommandKind::set_name:
    case CommandKind::set_email:
    case CommandKind::set_language:
    case CommandKind::set_attributes:
      j["attributes"] = c.attributes;
      j["refetchBoosted"] = c.refetch_boosted;
      j["removeUnspecified"] = c.remove_unspecified;
      break;
    case CommandKind::on:
    case CommandKind::off: j["event"] = event_name(c.event); break;
    case CommandKind::debug: j["enabled"] = c.enabled; break;
    case CommandKind::consent: j["consent"] = c.enabled ? "granted" : "denied"; break;
    case CommandKind::reset:
    case CommandKind::get_attributes: break;
  }
  if (c.callback_index >= 0) j["callback"] = c.callback_index;
  return j;
}

}  // namespace attrkit
