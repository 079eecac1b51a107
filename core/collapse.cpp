#include "collapse.h"

#include <map>

#include "number_text.h"
#include "outbox.h"

namespace attrkit {

namespace {

// A command's writes sit next to each other in `raw` (pushed together, removed in order), so a
// write is a one-write command when neither neighbour shares its unit.
bool alone(const std::vector<Write>& raw, std::size_t i) {
  const std::int64_t unit = raw[i].unit;
  return (i == 0 || raw[i - 1].unit != unit) && (i + 1 == raw.size() || raw[i + 1].unit != unit);
}

bool collapsible_raw(const std::vector<Write>& raw, std::size_t i, std::int64_t barrier) {
  const Write& w = raw[i];
  // A clear waits as it is: its ticket settles as a clear, not as a set's values.
  return !w.remove_unspecified && !w.in_flight && !w.clear && w.seq > barrier && alone(raw, i);
}

// Person, attribute and epoch as one string: the map type the Engine already instantiates
// (std::map<std::string, std::int64_t>); another key type would cost Wasm bytes. The length
// prefix keeps "a" + "bc" apart from "ab" + "c".
std::string key_of(const std::string& distinct_id, const std::string& attribute,
                   std::uint32_t epoch) {
  return integer_text(static_cast<std::int64_t>(distinct_id.size())) + ":" + distinct_id +
         attribute + "@" + integer_text(epoch);
}

}  // namespace

std::size_t collapse_raw(std::vector<Write>& raw, std::int64_t barrier) {
  std::map<std::string, std::int64_t> newest;  // key -> index of its newest write so far
  std::size_t n = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (!collapsible_raw(raw, i, barrier)) continue;
    const std::string key = key_of(raw[i].distinct_id, raw[i].attribute, raw[i].epoch);
    const auto it = newest.find(key);
    if (it != newest.end()) {
      const std::int64_t older = it->second;
      inherit(raw[i], raw[static_cast<std::size_t>(older)]);
      raw.erase(raw.begin() + older);
      for (auto& entry : newest)  // the writes after the older one moved down by one
        if (entry.second > older) --entry.second;
      --i;
      ++n;
    }
    newest[key] = static_cast<std::int64_t>(i);
  }
  return n;
}

bool collapses_into(const std::vector<Write>& list, bool raw, const std::string& distinct_id,
                    const std::string& attribute, std::uint32_t epoch, std::int64_t barrier) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Write& w = list[i];
    if (w.distinct_id != distinct_id || w.attribute != attribute) continue;
    if (raw ? (w.epoch == epoch && collapsible_raw(list, i, barrier))
            : (!w.in_flight && !w.remove_unspecified))
      return true;
  }
  return false;
}

}  // namespace attrkit
