// The persistence snapshot (DESIGN §5): what the runtime keeps in localStorage so a reload resends
// the same writes with the same ids. Versioned JSON, keyed by workspace, never holding the key.
//
// {"v": 1, "workspace", "clientId", "nextSeq", "epoch", "identity"?, "view"?, "viewFloor"?,
//  "writes": [{"id", "seq", "unit", "attribute", "value", "created", "tries", "epoch",
//              "distinctId"? (absent: held before any identify), "clientId"? (absent: the
//              top-level one), "instance"? (the tab that made it; absent: "", or in a snapshot
//              of an earlier version, read from the id), "raw"?: true (not yet validated),
//              "removeUnspecified"?: true, "clear"?: true (value null: a clear)}...]}
// Writes are listed outbox first (in flight included, in order), then held, then pending-config.
// Unknown top-level fields are ignored: the JS runtime adds its own ("saved", "closed";
// docs/sdk.md) to the stored copy.
//
// Bounds (docs/engine.md "Bounds of the stored state"): Engine::save drops writes kept
// kMaxStoredAgeMs and keeps the estimated size under kMaxSnapshotBytes; restores drop writes past
// the age limit too.
#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "json.h"
#include "result.h"
#include "write.h"

namespace attrkit {

constexpr int kSnapshotVersion = 1;
constexpr double kMaxStoredAgeMs = 7.0 * 24 * 3600 * 1000;  // from a write's creation
constexpr std::size_t kMaxSnapshotBytes = 256 * 1024;       // estimated, see below

// Upper bound of one write's entry in the snapshot JSON: its batch entry (batch.h) plus the
// fields only the snapshot has. Raw (unvalidated) values are bounded the same way.
std::size_t estimate_snapshot_write_bytes(const Write& w);

// Upper bound of the snapshot's bytes around its writes (fixed fields, identity, view).
std::size_t estimate_snapshot_base_bytes(const std::string& identity, const Json& view);

struct SnapshotData {
  std::string workspace;
  std::string client_id;
  std::int64_t next_seq = 1;
  std::uint32_t epoch = 1;
  std::string identity;  // empty: none
  Json view = json_object();
  std::int64_t view_floor = 0;
  std::vector<Write> writes;  // tickets, ready_at and in_flight are page-local and not kept
};

Json snapshot_to_json(const SnapshotData& s);
// The same document with the writes of `lists`, one after the other, in place of s.writes (not
// read): the Engine lists its outbox, held and pending writes without copying them.
Json snapshot_to_json(const SnapshotData& s,
                      std::initializer_list<const std::vector<Write>*> lists);

// One write as listed in a snapshot; "clientId" only when it differs from `default_client_id`.
Json write_to_json(const Write& w, const std::string& default_client_id);

// Validates every field. snapshot_invalid: not an object, a missing or wrong-typed field, an
// inconsistent one (a seq not below nextSeq, a duplicate id, an invalid distinct id, a held
// write while an identity is set), a truncated writes array. snapshot_version: "v" above
// kSnapshotVersion (checked before anything else but the object itself). snapshot_foreign:
// "workspace" is not `workspace`.
Result<SnapshotData> snapshot_from_json(const Json& j, std::string_view workspace);

}  // namespace attrkit
