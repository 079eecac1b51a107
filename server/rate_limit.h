// Per-key request limits (DESIGN §6): one token bucket per API key, `rate` tokens per second up to
// `burst`. RequestLimiter is what the HTTP layer calls; Store::rate_limiter picks the
// implementation: RateLimiter below (process memory, SQLite's single process) or the shared table
// of pg_store.h (every node of one PostgreSQL database draws from the same buckets).
#pragma once
#include <mutex>
#include <string>
#include <unordered_map>

namespace attrkit::server {

class RequestLimiter {
 public:
  virtual ~RequestLimiter() = default;
  // Takes one token from `key`'s bucket. Returns 0 when the request may go on, otherwise the
  // whole seconds (>= 1) until a token is available: the Retry-After value.
  virtual int acquire(const std::string& key) = 0;
};

// In process memory. Time is passed in (seconds on a monotonic clock) so the tests can drive it.
// Thread-safe.
class RateLimiter : public RequestLimiter {
 public:
  // `rate` tokens per second refill a bucket of `burst` tokens; a rate <= 0 turns limiting off.
  RateLimiter(double rate, double burst);

  // Takes one token from `key`'s bucket at time `now_s`. Returns 0 when the request may go on,
  // otherwise the whole seconds (>= 1) until a token is available: the Retry-After value.
  int acquire(const std::string& key, double now_s);
  // The same, now.
  int acquire(const std::string& key) override;

  bool enabled() const { return rate_ > 0; }

 private:
  struct Bucket {
    double tokens;
    double updated_s;
  };

  double rate_;
  double burst_;
  std::mutex mutex_;
  // Only keys that authenticated get a bucket, so the map is bounded by the keys in the database.
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace attrkit::server
