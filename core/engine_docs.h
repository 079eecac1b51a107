// The documents of every push, a call's Response and the events (engine_json.h has their shapes),
// written once as a sequence of calls on a writer `w` (core/doc_writer.h): as_json writes them
// into a JsonWriter, the Wasm binding straight into its converter's stream (bindings/convert.h),
// so a push builds no Json document for its answer. Templates, not virtual calls: each build
// instantiates only the writer it uses.
#pragma once
#include <string>
#include <variant>

#include "engine_json.h"
#include "engine_types.h"
#include "error.h"

namespace attrkit {

template <class W>
void write_error(W& w, const ErrorObject& e) {
  w.begin_object();
  w.key("code");
  w.string(error_name(e.code));
  w.key("status");
  w.number(error_status(e.code));
  w.key("message");
  w.string(e.message);
  if (!e.attribute.empty()) {
    w.key("attribute");
    w.string(e.attribute);
  }
  w.end();
}

template <class W>
void write_result(W& w, const CallResult& r) {
  w.begin_object();
  w.key("ok");
  w.boolean(r.ok);
  if (r.ok) {
    w.key("value");
    w.value(r.value);
  } else {
    w.key("error");
    write_error(w, r.error);
  }
  w.end();
}

template <class W>
void write_event(W& w, const ErrorEvent& e) {
  w.begin_object();
  w.key("type");
  w.string("error");
  w.key("error");
  write_error(w, e.error);
  if (e.ticket) {
    w.key("ticket");
    w.number(static_cast<double>(e.ticket));
  }
  if (!e.write_ids.empty()) {
    w.key("writeIds");
    w.begin_array();
    for (const std::string& id : e.write_ids) w.string(id);
    w.end();
  }
  if (e.superseded) {
    w.key("superseded");
    w.number(static_cast<double>(e.superseded));
  }
  if (!e.distinct_id.empty()) {
    w.key("distinctId");
    w.string(e.distinct_id);
  }
  w.end();
}

template <class W>
void write_event(W& w, const DeliveredEvent& e) {
  w.begin_object();
  w.key("type");
  w.string("delivered");
  w.key("writeId");
  w.string(e.write_id);
  w.key("distinctId");
  w.string(e.distinct_id);
  w.key("attribute");
  w.string(e.attribute);
  w.key("value");
  w.value(e.value);
  if (!e.person_id.empty()) {
    w.key("personId");
    w.string(e.person_id);
  }
  w.key("superseded");
  w.number(static_cast<double>(e.superseded));
  w.end();
}

template <class W>
void write_event(W& w, const SettledEvent& e) {
  w.begin_object();
  w.key("type");
  w.string("settled");
  w.key("ticket");
  w.number(static_cast<double>(e.ticket));
  w.key("result");
  write_result(w, e.result);
  w.end();
}

template <class W>
void write_doc(W& w, const Response& r) {
  w.begin_object();
  w.key("ticket");
  w.number(static_cast<double>(r.ticket));
  if (r.kind) {
    w.key("kind");
    w.string(call_kind_name(*r.kind));
  }
  w.key("effect");
  w.string(effect_name(r.effect));
  if (r.result) {
    w.key("result");
    write_result(w, *r.result);
  }
  switch (r.effect) {
    case Effect::init:
      w.key("options");
      w.value(init_options_to_json(r.options));
      break;
    case Effect::identify:
      w.key("distinctId");
      w.string(r.distinct_id);
      w.key("changed");
      w.boolean(r.changed);
      break;
    case Effect::on:
    case Effect::off:
      w.key("event");
      w.string(event_name(r.event));
      break;
    case Effect::debug:
      w.key("enabled");
      w.boolean(r.enabled);
      break;
    case Effect::consent:
      w.key("consent");
      w.string(r.enabled ? "granted" : "denied");
      break;
    default: break;
  }
  if (r.callback >= 0 && r.effect != Effect::none) {
    w.key("callback");
    w.number(r.callback);
  }
  if (r.events) {
    w.key("events");
    w.boolean(true);
  }
  if (r.wake) {
    w.key("wake");
    w.number(*r.wake);
  }
  w.end();
}

// A push's answer as the binding hands it over: a repeated set's (Response::repeated) is only
// [ticket, wake, events]; the runtime takes the rest from the answer before (js/src/answers.js).
template <class W>
void write_answer(W& w, const Response& r) {
  if (!r.repeated) return write_doc(w, r);
  w.begin_array();
  w.number(static_cast<double>(r.ticket));
  w.number(r.wake.value_or(-1));
  w.boolean(r.events);
  w.end();
}

template <class W>
void write_doc(W& w, const Events& events) {
  w.begin_array();
  for (const EngineEvent& e : events) {
    if (const auto* error = std::get_if<ErrorEvent>(&e)) write_event(w, *error);
    else if (const auto* delivered = std::get_if<DeliveredEvent>(&e)) write_event(w, *delivered);
    else if (const auto* settled = std::get_if<SettledEvent>(&e)) write_event(w, *settled);
  }
  w.end();
}

}  // namespace attrkit
