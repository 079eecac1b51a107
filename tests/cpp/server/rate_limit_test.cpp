// Token buckets per key (server/rate_limit.h), driven with explicit times.
#include "server/rate_limit.h"

#include <gtest/gtest.h>

namespace attrkit::server {
namespace {

TEST(RateLimiter, AllowsTheBurstThenAsksToWait) {
  RateLimiter limiter(2, 4);  // 2 per second, burst 4
  for (int i = 0; i < 4; ++i) EXPECT_EQ(limiter.acquire("k", 100.0), 0) << i;
  int wait = limiter.acquire("k", 100.0);
  EXPECT_EQ(wait, 1);  // (1 - 0) / 2 = 0.5 s, rounded up to whole seconds
}

TEST(RateLimiter, RetryAfterGrowsWithASlowRate) {
  RateLimiter limiter(0.25, 1);  // one request every 4 seconds
  EXPECT_EQ(limiter.acquire("k", 0.0), 0);
  EXPECT_EQ(limiter.acquire("k", 0.0), 4);
  EXPECT_EQ(limiter.acquire("k", 2.0), 2);  // half refilled
}

TEST(RateLimiter, RefillsOverTimeUpToTheBurst) {
  RateLimiter limiter(10, 2);
  EXPECT_EQ(limiter.acquire("k", 0.0), 0);
  EXPECT_EQ(limiter.acquire("k", 0.0), 0);
  EXPECT_GT(limiter.acquire("k", 0.0), 0);
  EXPECT_EQ(limiter.acquire("k", 0.1), 0);  // one token back after 100 ms
  EXPECT_GT(limiter.acquire("k", 0.1), 0);
  // A long pause refills to the burst, not beyond it.
  EXPECT_EQ(limiter.acquire("k", 1000.0), 0);
  EXPECT_EQ(limiter.acquire("k", 1000.0), 0);
  EXPECT_GT(limiter.acquire("k", 1000.0), 0);
}

TEST(RateLimiter, KeysHaveSeparateBuckets) {
  RateLimiter limiter(1, 1);
  EXPECT_EQ(limiter.acquire("a", 5.0), 0);
  EXPECT_GT(limiter.acquire("a", 5.0), 0);
  EXPECT_EQ(limiter.acquire("b", 5.0), 0);
}

TEST(RateLimiter, ZeroRateMeansNoLimit) {
  RateLimiter limiter(0, 0);
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(limiter.acquire("k", 0.0), 0);
}

TEST(RateLimiter, ATimeGoingBackwardsDoesNotMintTokens) {
  RateLimiter limiter(1, 1);
  EXPECT_EQ(limiter.acquire("k", 10.0), 0);
  EXPECT_GT(limiter.acquire("k", 5.0), 0);
  EXPECT_GT(limiter.acquire("k", 10.5), 0);
  EXPECT_EQ(limiter.acquire("k", 11.0), 0);
}

}  // namespace
}  // namespace attrkit::server
