// Attribute writes (DESIGN §4, §7): the single write, the clear, and the batch with its
// idempotent write ids, per-client sequence ordering and removeUnspecified.
// Every rule the browser also applies (distinct ids, attribute lookup, value validation and
// normalisation) is the core's: validate_distinct_id and validate_write. What is decided here is
// only what the browser cannot know: persons, stored values, seen ids and sequence numbers.
// Callers run these inside one Store::transact, so a batch is applied whole or not at all.
#pragma once
#include <cstddef>

#include "core/definitions.h"
#include "core/json.h"
#include "server/reply.h"
#include "server/store.h"

namespace attrkit::server {

constexpr std::size_t kMaxBatchWrites = 100;
// Batch write ids are remembered at least this long (DESIGN §7 asks for 24 h).
constexpr double kWriteIdRetentionMs = 48.0 * 3600 * 1000;

struct WriteScope {
  Tx& tx;
  const Config& config;  // config.workspace is the workspace id
  double now_ms;
};

// POST /api/v1/attributes/values: {distinctId, attribute, value} -> {personId, attribute, value}.
Reply set_attribute(WriteScope& scope, const Json& body);

// DELETE /api/v1/attributes/values: {distinctId, attribute} -> {personId, attribute, value: null}.
// The attribute must be defined and not archived; the person is created if it did not exist.
Reply clear_attribute(WriteScope& scope, const Json& body);

// POST /api/v1/attributes/values/batch -> {results: [...]} in the order sent.
Reply apply_batch(WriteScope& scope, const Json& body);

}  // namespace attrkit::server
