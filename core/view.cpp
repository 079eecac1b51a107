#include "view.h"

#include <algorithm>

namespace attrkit {

void View::new_epoch() {
  ++epoch_;
  values_ = json_object();
  seqs_.clear();
  floor_ = 0;
}

void View::accept(std::uint32_t epoch, const Json& values, const std::vector<std::int64_t>& seqs,
                  bool remove, std::int64_t unit) {
  if (epoch == 0 || epoch != epoch_) return;
  if (remove) {
    values_ = json_object();
    seqs_.clear();
    floor_ = unit;
  }
  std::size_t k = 0;
  for (const auto& [key, value] : members(values)) {
    if (value.is_null()) values_.erase(key);  // a clear
    else values_[key] = value;
    seqs_[key] = seqs[k++];
  }
}

void View::stored(std::uint32_t epoch, std::int64_t seq, const std::string& attribute,
                  const Json& value) {
  // Only if nothing newer was accepted since: a newer write of the attribute, a removeUnspecified,
  // a reset or a switch of user.
  if (epoch == 0 || epoch != epoch_ || seq < floor_) return;
  const auto it = seqs_.find(attribute);
  if (it != seqs_.end() && seq < it->second) return;
  if (value.is_null()) values_.erase(attribute);
  else values_[attribute] = value;
  seqs_[attribute] = seq;
}

void View::carry_on(std::uint32_t epoch, const Json& values, std::int64_t floor) {
  epoch_ = epoch;
  if (floor_ != 0) return;
  Json merged = values;
  for (const auto& [key, value] : members(values_)) merged[key] = value;
  values_ = std::move(merged);
  floor_ = floor;
}

void View::note_write(const std::string& attribute, std::int64_t seq) {
  auto [it, added] = seqs_.emplace(attribute, seq);
  if (!added) it->second = std::max(it->second, seq);
}

}  // namespace attrkit
