#include "snapshot.h"

#include <cmath>
#include <map>

#include "batch.h"
#include "command.h"
#include "retry.h"
#include "validate.h"

namespace attrkit {
namespace {

// JS numbers arrive as integers or doubles depending on the converter; both are accepted when the
// value is integral and exact.
bool read_int(const Json& j, std::int64_t* out) {
  if (j.is_number_integer()) {
    *out = j.get<std::int64_t>();
    return true;
  }
  if (j.is_number_float()) {
    const double x = j.get<double>();
    if (!std::isfinite(x) || std::floor(x) != x || std::fabs(x) > 9007199254740992.0) return false;
    *out = static_cast<std::int64_t>(x);
    return true;
  }
  return false;  // number_unsigned beyond int64 is not a value we ever write
}

const Json* field(const Json& obj, const char* name) {
  const auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}

bool int_field(const Json& obj, const char* name, std::int64_t lo, std::int64_t hi,
               std::int64_t* out) {
  const Json* f = field(obj, name);
  return f && read_int(*f, out) && *out >= lo && *out <= hi;
}

bool string_field(const Json& obj, const char* name, std::string* out) {
  const Json* f = field(obj, name);
  if (!f || !f->is_string() || f->get_ref<const std::string&>().empty()) return false;
  *out = f->get_ref<const std::string&>();
  return true;
}

// Absent or null -> `fallback`; a boolean -> its value; anything else fails.
bool optional_bool(const Json& obj, const char* name, bool* out) {
  const Json* f = field(obj, name);
  if (!f || f->is_null()) return true;
  if (!f->is_boolean()) return false;
  *out = f->get<bool>();
  return true;
}

constexpr std::int64_t kMaxSeq = 9007199254740991;  // Number.MAX_SAFE_INTEGER

// Snapshots written before writes carried their instance: it is the part of the id between the
// client id and the seq ("<clientId>-<instance>-<seq>"), "" for "<clientId>-<seq>".
std::string legacy_instance(const Write& w) {
  const std::size_t start = w.client_id.size() + 1;
  const std::size_t end = w.id.rfind('-');
  if (w.id.compare(0, w.client_id.size(), w.client_id) != 0 || end == std::string::npos ||
      end <= start)
    return std::string();
  return w.id.substr(start, end - start);
}

Result<Write> read_write(const Json& j, const SnapshotData& s) {
  if (!j.is_object()) return Error::snapshot_invalid;
  Write w;
  std::int64_t tries = 0;
  std::int64_t epoch = 0;
  if (!string_field(j, "id", &w.id) || !string_field(j, "attribute", &w.attribute) ||
      !int_field(j, "seq", 1, s.next_seq - 1, &w.seq) || !int_field(j, "unit", 1, w.seq, &w.unit) ||
      !int_field(j, "tries", 0, kMaxTries, &tries) || !int_field(j, "epoch", 0, s.epoch, &epoch))
    return Error::snapshot_invalid;
  w.tries = static_cast<int>(tries);
  w.epoch = static_cast<std::uint32_t>(epoch);
  const Json* value = field(j, "value");
  if (!value || contains_non_json(*value)) return Error::snapshot_invalid;
  w.value = *value;
  const Json* created = field(j, "created");
  if (!created || !created->is_number() || !std::isfinite(created->get<double>()))
    return Error::snapshot_invalid;
  w.created = created->get<double>();
  bool raw = false;
  if (!optional_bool(j, "raw", &raw) ||
      !optional_bool(j, "removeUnspecified", &w.remove_unspecified) ||
      !optional_bool(j, "clear", &w.clear) ||
      (w.clear && (!w.value.is_null() || w.remove_unspecified)))
    return Error::snapshot_invalid;
  w.validated = !raw;
  w.client_id = s.client_id;
  if (field(j, "clientId") && !string_field(j, "clientId", &w.client_id))
    return Error::snapshot_invalid;
  if (field(j, "instance")) {
    if (!string_field(j, "instance", &w.instance)) return Error::snapshot_invalid;
  } else {
    w.instance = legacy_instance(w);
  }
  if (const Json* id = field(j, "distinctId")) {
    if (validate_distinct_id(*id) != Error::ok) return Error::snapshot_invalid;
    w.distinct_id = id->get_ref<const std::string&>();
  } else if (!s.identity.empty()) {
    return Error::snapshot_invalid;  // identify attaches every held write: none can be left
  }
  return w;
}

}  // namespace

std::size_t estimate_snapshot_write_bytes(const Write& w) {
  // "unit", "created", "tries", "epoch" (names and numbers), "raw" and "removeUnspecified"
  // (the batch entry counts "clear").
  constexpr std::size_t kSnapshotOnlyFields = 4 * (10 + 24) + 11 + 26;
  // ,"instance":"..." with every byte at its longest escape
  const std::size_t instance = w.instance.empty() ? 0 : 14 + 6 * w.instance.size();
  return estimate_write_bytes(w) + kSnapshotOnlyFields + instance;
}

std::size_t estimate_snapshot_base_bytes(const std::string& identity, const Json& view) {
  // {"v","workspace","clientId","nextSeq","epoch","viewFloor","writes":[]} with room for the
  // runtime's own fields ("saved", "closed") and a workspace or client id up to 200 bytes.
  constexpr std::size_t kFixed = 640;
  return kFixed + estimate_json_bytes(Json(identity)) + estimate_json_bytes(view);
}

Json write_to_json(const Write& w, const std::string& default_client_id) {
  Json j = json_object();
  j["id"] = w.id;
  j["seq"] = w.seq;
  j["unit"] = w.unit;
  j["attribute"] = w.attribute;
  j["value"] = w.value;
  j["created"] = w.created;
  j["tries"] = w.tries;
  j["epoch"] = w.epoch;
  if (!w.distinct_id.empty()) j["distinctId"] = w.distinct_id;
  if (w.client_id != default_client_id) j["clientId"] = w.client_id;
  if (!w.instance.empty()) j["instance"] = w.instance;
  if (!w.validated) j["raw"] = true;
  if (w.remove_unspecified) j["removeUnspecified"] = true;
  if (w.clear) j["clear"] = true;
  return j;
}

Json snapshot_to_json(const SnapshotData& s) { return snapshot_to_json(s, {&s.writes}); }

Json snapshot_to_json(const SnapshotData& s,
                      std::initializer_list<const std::vector<Write>*> lists) {
  Json j = json_object();
  j["v"] = kSnapshotVersion;
  j["workspace"] = s.workspace;
  j["clientId"] = s.client_id;
  j["nextSeq"] = s.next_seq;
  j["epoch"] = s.epoch;
  if (!s.identity.empty()) j["identity"] = s.identity;
  if (s.view.is_object() && !s.view.empty()) j["view"] = s.view;
  if (s.view_floor > 0) j["viewFloor"] = s.view_floor;
  Json writes = json_array();
  for (const std::vector<Write>* list : lists)
    for (const Write& w : *list) writes.push_back(write_to_json(w, s.client_id));
  j["writes"] = std::move(writes);
  return j;
}

Result<SnapshotData> snapshot_from_json(const Json& j, std::string_view workspace) {
  if (!j.is_object()) return Error::snapshot_invalid;
  std::int64_t version = 0;
  const Json* v = field(j, "v");
  if (!v || !read_int(*v, &version)) return Error::snapshot_invalid;
  // A newer schema may have moved every other field: say so before judging them.
  if (version > kSnapshotVersion) return Error::snapshot_version;
  if (version != kSnapshotVersion) return Error::snapshot_invalid;
  SnapshotData s;
  if (!string_field(j, "workspace", &s.workspace)) return Error::snapshot_invalid;
  if (s.workspace != workspace) return Error::snapshot_foreign;
  std::int64_t epoch = 0;
  if (!string_field(j, "clientId", &s.client_id) ||
      !int_field(j, "nextSeq", 1, kMaxSeq, &s.next_seq) ||
      !int_field(j, "epoch", 1, 0xFFFFFFF0, &epoch))
    return Error::snapshot_invalid;
  s.epoch = static_cast<std::uint32_t>(epoch);
  if (const Json* id = field(j, "identity")) {
    if (!id->is_null()) {
      if (validate_distinct_id(*id) != Error::ok) return Error::snapshot_invalid;
      s.identity = id->get_ref<const std::string&>();
    }
  }
  if (const Json* view = field(j, "view")) {
    if (!view->is_object() || contains_non_json(*view)) return Error::snapshot_invalid;
    s.view = *view;
  }
  if (field(j, "viewFloor") && !int_field(j, "viewFloor", 0, kMaxSeq, &s.view_floor))
    return Error::snapshot_invalid;
  const Json* writes = field(j, "writes");
  if (!writes || !writes->is_array()) return Error::snapshot_invalid;
  std::map<std::string, std::int64_t> ids;  // the map type the Engine already uses: no new code
  for (const Json& item : *writes) {
    Result<Write> w = read_write(item, s);
    if (!w.ok()) return w.error();
    if (!ids.emplace(w.value().id, w.value().seq).second) return Error::snapshot_invalid;
    s.writes.push_back(std::move(w).value());
  }
  return s;
}

}  // namespace attrkit
