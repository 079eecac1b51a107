// This client's belief of what the current user has stored: what "get user:attributes" answers
// (docs/engine.md "The view"). Accepted local values enter at once; stored values from batch
// results replace them only when nothing newer was accepted since. A reset or a switch of user
// starts a new epoch with an empty view; writes remember the epoch they were made in, and only
// writes of the current epoch touch it (epoch 0: never, e.g. the Promise API's and adopted ones).
// Owns: the values, the seq of the write behind each, the floor set by removeUnspecified, the
// epoch.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "json.h"

namespace attrkit {

class View {
 public:
  std::uint32_t epoch() const { return epoch_; }
  const Json& values() const { return values_; }
  std::int64_t floor() const { return floor_; }

  // A reset or a switch of user: the view empties.
  void new_epoch();
  // Normalised values of one command made in `epoch`, with the seq of each (in key order); a
  // removeUnspecified command (`remove`, first seq `unit`) replaces the whole view.
  void accept(std::uint32_t epoch, const Json& values, const std::vector<std::int64_t>& seqs,
              bool remove, std::int64_t unit);
  // The server stored `value` (null: cleared) for the write `seq` of `attribute`, made in `epoch`.
  void stored(std::uint32_t epoch, std::int64_t seq, const std::string& attribute,
              const Json& value);

  // Persisted state carries on in this page (nothing here said who the user is): its epoch, and
  // its values under this page's; the floor too unless this page already replaced the view.
  void carry_on(std::uint32_t epoch, const Json& values, std::int64_t floor);
  // A restored write of the current epoch not yet delivered: its value is newer than a stored one.
  void note_write(const std::string& attribute, std::int64_t seq);
  // This page's writes were renumbered (engine_restore.cpp): every seq goes through `map`.
  template <class Map>
  void renumber(const Map& map) {
    for (auto& entry : seqs_) entry.second = map(entry.second);
    if (floor_ > 0) floor_ = map(floor_);
  }

 private:
  std::uint32_t epoch_ = 1;
  Json values_ = json_object();
  std::map<std::string, std::int64_t> seqs_;
  std::int64_t floor_ = 0;  // results of writes older than the last removeUnspecified are stale
};

}  // namespace attrkit
