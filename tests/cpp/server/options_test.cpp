// attrkit-server's command line (server/options.h).
#include "server/options.h"

#include <gtest/gtest.h>

namespace attrkit::server {
namespace {

TEST(Options, Defaults) {
  std::string error;
  auto o = parse_options({}, &error);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->port, 8787);
  EXPECT_EQ(o->host, "127.0.0.1");
  EXPECT_EQ(o->db, ".attrkit/dev.db");
  EXPECT_EQ(o->sdk_dir, "js/dist");
  EXPECT_FALSE(o->seed_demo);
  EXPECT_DOUBLE_EQ(o->rate_limit, 100);
}

TEST(Options, SpacedAndInlineValues) {
  std::string error;
  auto o = parse_options({"--port", "0", "--db=/tmp/x.db", "--seed-demo", "--rate-limit", "0.5",
                          "--web", "site", "--sdk=dist", "--host", "0.0.0.0", "--verbose"},
                         &error);
  ASSERT_TRUE(o) << error;
  EXPECT_EQ(o->port, 0);
  EXPECT_EQ(o->db, "/tmp/x.db");
  EXPECT_TRUE(o->seed_demo);
  EXPECT_DOUBLE_EQ(o->rate_limit, 0.5);
  EXPECT_EQ(o->web_dir, "site");
  EXPECT_EQ(o->sdk_dir, "dist");
  EXPECT_EQ(o->host, "0.0.0.0");
  EXPECT_TRUE(o->verbose);
}

TEST(Options, RefusesBadArguments) {
  for (auto args : std::vector<std::vector<std::string>>{{"--port"},
                                                         {"--port", "70000"},
                                                         {"--port", "80x"},
                                                         {"--port", "-1"},
                                                         {"--rate-limit", "-3"},
                                                         {"--rate-limit", "nan"},
                                                         {"--db", ""},
                                                         {"--frobnicate"},
                                                         {"extra"}}) {
    std::string error;
    EXPECT_FALSE(parse_options(args, &error)) << args[0];
    EXPECT_FALSE(error.empty());
  }
}

}  // namespace
}  // namespace attrkit::server
