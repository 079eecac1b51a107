#include "server/writes.h"

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "core/batch.h"
#include "core/validate.h"
#include "server/json_body.h"
#include "server/random_id.h"

namespace attrkit::server {
namespace {

const Json* field(const Json& obj, const char* name) {
  auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}

const Json& field_or_null(const Json& obj, const char* name) {
  static const Json kNull;
  const Json* f = field(obj, name);
  return f ? *f : kNull;
}

// The person id for a distinct id, created on first use.
std::string ensure_person(Tx& tx, const std::string& workspace_id, const std::string& distinct_id) {
  if (auto id = tx.find_person(workspace_id, distinct_id)) return *id;
  std::string id = new_person_id();
  tx.insert_person(id, workspace_id, distinct_id);
  return id;
}

Json stored_value(Tx& tx, const std::string& person_id, const std::string& key) {
  auto text = tx.value(person_id, key);
  if (!text) return nullptr;
  auto j = parse_json_body(*text);
  return j ? *j : Json(nullptr);
}

// The checks a single write and a batch write share, in the order the browser applies them:
// the distinct id, then the attribute and its value. On success `normalized` holds the value to
// store.
std::optional<ApiError> check_write(const Config& config, const Json& w, Json* normalized) {
  const Json* attribute = field(w, "attribute");
  if (!attribute || !attribute->is_string()) {
    return api_error(Error::invalid_request, "\"attribute\" must be a string");
  }
  if (!field(w, "value")) return api_error(Error::invalid_request, "\"value\" is missing");
  // The messages are the core's, so the server and the browser say the same thing (DESIGN §2b).
  std::string message;
  if (validate_distinct_id(field_or_null(w, "distinctId"), &message) != Error::ok) {
    return api_error(Error::distinct_id_invalid, std::move(message));
  }
  const auto& key = attribute->get_ref<const std::string&>();
  Result<Json> v = validate_write(config, key, w["value"], &message);
  if (!v.ok()) return api_error(v.error(), std::move(message));
  *normalized = std::move(v).value();
  return std::nullopt;
}

// Outcome of one batch write.
struct BatchItem {
  Json result;
  bool applied = false;  // a value was stored by this request (not a replay, not stale)
  std::string person_id;
};

BatchItem apply_batch_write(WriteScope& s, const Json& w) {
  const std::string& id = w["id"].get_ref<const std::string&>();
  auto fail = [&](const ApiError& e) {
    return BatchItem{Json{{"id", id}, {"ok", false}, {"error", e.to_json()}}, false, {}};
  };

  // The entry's shape is the wire format's (core/batch.h); its meaning is the core validators'.
  BatchEntry entry;
  std::string message;
  if (read_batch_entry(w, &entry, &message) != Error::ok)
    return fail(api_error(Error::invalid_request, message));
  Json value;
  if (entry.clear) {
    if (validate_distinct_id(*entry.distinct_id, &message) != Error::ok)
      return fail(api_error(Error::distinct_id_invalid, std::move(message)));
    // The flag was already checked with the key (auth); here only the attribute's own rules.
    if (Error e = validate_clear(s.config, *entry.attribute, false, &message); e != Error::ok)
      return fail(api_error(e, std::move(message)));
  } else if (auto e = check_write(s.config, w, &value)) {
    return fail(*e);
  }

  const auto& distinct_id = w["distinctId"].get_ref<const std::string&>();
  const auto& key = w["attribute"].get_ref<const std::string&>();
  std::string person = ensure_person(s.tx, s.config.workspace, distinct_id);
  BatchItem item;
  item.person_id = person;
  if (entry.client_id) {
    const std::string& client_id = *entry.client_id;
    auto last = s.tx.last_seq(person, key, client_id);
    if (last && entry.seq < *last) {
      // A late retry from the same install: acknowledged, but the newer value stays (DESIGN §4).
      item.result = Json{{"id", id},
                         {"ok", true},
                         {"personId", person},
                         {"attribute", key},
                         {"value", stored_value(s.tx, person, key)}};
      return item;
    }
    s.tx.set_last_seq(person, key, client_id, entry.seq);
  }
  if (entry.clear) s.tx.delete_value(person, key);
  else s.tx.set_value(person, key, dump_json(value), s.now_ms);
  item.applied = true;
  item.result = Json{{"id", id},
                     {"ok", true},
                     {"personId", person},
                     {"attribute", key},
                     {"value", std::move(value)}};
  return item;
}

}  // namespace

Reply set_attribute(WriteScope& s, const Json& body) {
  if (!body.is_object()) return Reply::error(api_error_for(Error::invalid_request));
  Json value;
  if (auto e = check_write(s.config, body, &value)) return Reply::error(*e);
  const auto& key = body["attribute"].get_ref<const std::string&>();
  std::string person =
      ensure_person(s.tx, s.config.workspace, body["distinctId"].get_ref<const std::string&>());
  s.tx.set_value(person, key, dump_json(value), s.now_ms);
  return Reply::ok(Json{{"personId", person}, {"attribute", key}, {"value", std::move(value)}});
}

Reply clear_attribute(WriteScope& s, const Json& body) {
  if (!body.is_object()) return Reply::error(api_error_for(Error::invalid_request));
  const Json* attribute = field(body, "attribute");
  if (!attribute || !attribute->is_string()) {
    return Reply::error(api_error(Error::invalid_request, "\"attribute\" must be a string"));
  }
  std::string message;
  if (validate_distinct_id(field_or_null(body, "distinctId"), &message) != Error::ok) {
    return Reply::error(api_error(Error::distinct_id_invalid, std::move(message)));
  }
  const auto& key = attribute->get_ref<const std::string&>();
  // The flag was already checked with the key (auth); here only the attribute's own rules.
  if (Error e = validate_clear(s.config, key, false, &message); e != Error::ok) {
    return Reply::error(api_error(e, std::move(message)));
  }
  std::string person =
      ensure_person(s.tx, s.config.workspace, body["distinctId"].get_ref<const std::string&>());
  s.tx.delete_value(person, key);
  return Reply::ok(Json{{"personId", person}, {"attribute", key}, {"value", nullptr}});
}

Reply apply_batch(WriteScope& s, const Json& body) {
  // The envelope is checked whole before anything is applied: a malformed batch changes nothing.
  if (!body.is_object()) return Reply::error(api_error_for(Error::invalid_request));
  const Json* writes = field(body, "writes");
  if (!writes || !writes->is_array()) {
    return Reply::error(api_error(Error::invalid_request, "\"writes\" must be an array"));
  }
  if (writes->size() > kMaxBatchWrites) {
    return Reply::error(api_error(Error::payload_too_large, "at most 100 writes per batch"));
  }
  const Json& remove = field_or_null(body, "removeUnspecified");
  if (!remove.is_null() && !remove.is_boolean()) {
    return Reply::error(
        api_error(Error::invalid_request, "\"removeUnspecified\" must be a boolean"));
  }
  for (const Json& w : *writes) {
    if (!w.is_object() || !is_wire_id(field(w, "id"))) {
      return Reply::error(api_error(Error::invalid_request,
                                    "each write needs an \"id\": a string of 1 to 200 bytes"));
    }
  }

  // Per distinct id: the attributes this batch names (kept by removeUnspecified) and, once one of
  // its writes is applied, the person.
  struct Touched {
    std::set<std::string> keys;
    std::string applied_person;
  };
  std::map<std::string, Touched> touched;

  Json results = Json::array();
  for (const Json& w : *writes) {
    const auto& id = w["id"].get_ref<const std::string&>();
    const Json& d = field_or_null(w, "distinctId");
    const Json& a = field_or_null(w, "attribute");
    Touched* t = nullptr;
    if (d.is_string() && a.is_string()) {
      t = &touched[d.get_ref<const std::string&>()];
      t->keys.insert(a.get_ref<const std::string&>());
    }

    // The write log records what the request named (null where it was not a string).
    const std::string* logged_person = d.is_string() ? &d.get_ref<const std::string&>() : nullptr;
    const std::string* logged_key = a.is_string() ? &a.get_ref<const std::string&>() : nullptr;
    if (auto first = s.tx.write_result(s.config.workspace, id)) {
      auto replay = parse_json_body(*first);
      results.push_back(replay ? *replay : Json(nullptr));
      s.tx.log_write(s.config.workspace, id, logged_person, logged_key, WriteOutcome::replayed,
                     s.now_ms);
      continue;
    }
    BatchItem item = apply_batch_write(s, w);
    s.tx.put_write_result(s.config.workspace, id, dump_json(item.result), s.now_ms);
    const WriteOutcome outcome = item.applied                    ? WriteOutcome::applied
                                 : item.result["ok"].get<bool>() ? WriteOutcome::stale
                                                                 : WriteOutcome::rejected;
    s.tx.log_write(s.config.workspace, id, logged_person, logged_key, outcome, s.now_ms);
    if (item.applied && t) t->applied_person = item.person_id;
    results.push_back(std::move(item.result));
  }

  if (remove.is_boolean() && remove.get<bool>()) {
    for (const auto& [distinct_id, t] : touched) {
      if (t.applied_person.empty()) continue;
      for (const auto& [key, value] : s.tx.values(t.applied_person)) {
        if (!t.keys.count(key)) s.tx.delete_value(t.applied_person, key);
      }
    }
  }
  return Reply::ok(Json{{"results", std::move(results)}});
}

}  // namespace attrkit::server
