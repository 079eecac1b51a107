#include "server/rate_limit.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace attrkit::server {

RateLimiter::RateLimiter(double rate, double burst) : rate_(rate), burst_(std::max(burst, 1.0)) {}

int RateLimiter::acquire(const std::string& key) {
  using namespace std::chrono;
  return acquire(key, duration<double>(steady_clock::now().time_since_epoch()).count());
}

int RateLimiter::acquire(const std::string& key, double now_s) {
  if (!enabled()) return 0;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) it = buckets_.emplace(key, Bucket{burst_, now_s}).first;
  Bucket& b = it->second;
  double elapsed = std::max(0.0, now_s - b.updated_s);
  b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
  b.updated_s = std::max(b.updated_s, now_s);
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  double wait = (1.0 - b.tokens) / rate_;
  return std::max(1, static_cast<int>(std::ceil(wait)));
}

}  // namespace attrkit::server
