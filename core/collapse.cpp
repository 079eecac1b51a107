#include "collapse.h"

#include <map>
#include <tuple>

namespace attrkit {

namespace {

using Key = std::tuple<std::string, std::string, std::uint32_t>;

std::map<std::int64_t, std::size_t> unit_sizes(const std::vector<Write>& raw) {
  std::map<std::int64_t, std::size_t> sizes;
  for (const Write& w : raw) ++sizes[w.unit];
  return sizes;
}

bool collapsible_raw(const Write& w, const std::map<std::int64_t, std::size_t>& sizes, std::int64_t barrier) {
  return !w.remove_unspecified && !w.in_flight && w.seq > barrier && sizes.at(w.unit) == 1;
}

}  // namespace

std::size_t collapse_raw(std::vector<Write>& raw, std::int64_t barrier) {
  const std::map<std::int64_t, std::size_t> sizes = unit_sizes(raw);
  std::map<Key, std::size_t> last;  // key -> index of its newest write so far
  std::vector<bool> gone(raw.size(), false);
  std::size_t n = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    Write& w = raw[i];
    if (!collapsible_raw(w, sizes, barrier)) continue;
    const Key key{w.distinct_id, w.attribute, w.epoch};
    const auto it = last.find(key);
    if (it != last.end()) {
      Write& older = raw[it->second];
      std::vector<std::uint64_t> tickets = std::move(older.tickets);
      for (std::uint64_t t : w.tickets) tickets.push_back(t);
      w.tickets = std::move(tickets);
      std::vector<std::string> superseded = std::move(older.superseded);
      superseded.push_back(older.id);
      for (std::string& id : w.superseded) superseded.push_back(std::move(id));
      w.superseded = std::move(superseded);
      gone[it->second] = true;
      ++n;
    }
    last[key] = i;
  }
  if (n == 0) return 0;
  std::vector<Write> kept;
  kept.reserve(raw.size() - n);
  for (std::size_t i = 0; i < raw.size(); ++i)
    if (!gone[i]) kept.push_back(std::move(raw[i]));
  raw = std::move(kept);
  return n;
}

bool collapses_into(const std::vector<Write>& list, bool raw, const std::string& distinct_id,
                    const std::string& attribute, std::uint32_t epoch, std::int64_t barrier) {
  const std::map<std::int64_t, std::size_t> sizes = raw ? unit_sizes(list) : std::map<std::int64_t, std::size_t>{};
  for (const Write& w : list) {
    if (w.distinct_id != distinct_id || w.attribute != attribute) continue;
    if (raw ? (w.epoch == epoch && collapsible_raw(w, sizes, barrier)) : (!w.in_flight && !w.remove_unspecified))
      return true;
  }
  return false;
}

}  // namespace attrkit
