// Repeated writes of one attribute, made before the config or an identify, collapse to the last
// before any queue cap applies (DESIGN §3 queue_full): a page that writes one attribute 10,000
// times before the config arrives must end with the last value, not the first 500.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "write.h"

namespace attrkit {

// In `raw` (writes kept unvalidated until the config is known, in order), every one-write command
// (unit) of one person, attribute and epoch is collapsed into the newest such write made after
// `barrier` (the seq after which a waiting get was made; writes at or before it stay, so the get
// still sees them). The survivor keeps its own id and seq and inherits the older writes' tickets
// and ids, as append_coalesced does for validated writes. Commands of several attributes and
// removeUnspecified ones are validated all-or-nothing and never split. Returns how many went.
std::size_t collapse_raw(std::vector<Write>& raw, std::int64_t barrier);

// Whether `list` already holds a write that a new one-attribute write (`distinct_id`, `attribute`,
// `epoch`) would collapse with (collapse_raw's rule when `raw`, append_coalesced's otherwise).
bool collapses_into(const std::vector<Write>& list, bool raw, const std::string& distinct_id,
                    const std::string& attribute, std::uint32_t epoch, std::int64_t barrier);

}  // namespace attrkit
