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

TEST(Options, ConnectionGuardsAndAccessLog) {
  std::string error;
  auto o = parse_options(
      {"--max-connections", "64", "--header-timeout=2.5", "--body-timeout", "3", "--write-timeout",
       "4", "--keep-alive-timeout", "1", "--shutdown-grace", "0.5", "--access-log", "off"},
      &error);
  ASSERT_TRUE(o) << error;
  EXPECT_EQ(o->max_connections, 64u);
  EXPECT_DOUBLE_EQ(o->header_timeout_s, 2.5);
  EXPECT_DOUBLE_EQ(o->body_timeout_s, 3);
  EXPECT_DOUBLE_EQ(o->write_timeout_s, 4);
  EXPECT_DOUBLE_EQ(o->keep_alive_timeout_s, 1);
  EXPECT_DOUBLE_EQ(o->shutdown_grace_s, 0.5);
  EXPECT_FALSE(o->access_log);
  auto d = parse_options({}, &error);
  EXPECT_TRUE(d->access_log);
  EXPECT_EQ(d->max_connections, 512u);
  for (auto args : std::vector<std::vector<std::string>>{{"--max-connections", "0"},
                                                         {"--header-timeout", "0"},
                                                         {"--body-timeout", "x"},
                                                         {"--access-log", "maybe"},
                                                         {"--verbose=1"}}) {
    EXPECT_FALSE(parse_options(args, &error)) << args[0];
  }
}

const char* fake_env(const char* name) {
  std::string n = name;
  if (n == "ATTRKIT_PORT") return "9001";
  if (n == "ATTRKIT_DB") return "/tmp/env.db";
  if (n == "ATTRKIT_ACCESS_LOG") return "off";
  if (n == "ATTRKIT_MAX_CONNECTIONS") return "99";
  return nullptr;
}

const char* bad_env(const char* name) {
  return std::string(name) == "ATTRKIT_PORT" ? "eighty" : nullptr;
}

TEST(Options, EnvironmentFirstThenFlags) {
  std::string error;
  auto o = parse_options({"--port", "9002"}, &error, fake_env);
  ASSERT_TRUE(o) << error;
  EXPECT_EQ(o->port, 9002);  // the flag wins
  EXPECT_EQ(o->db, "/tmp/env.db");
  EXPECT_FALSE(o->access_log);
  EXPECT_EQ(o->max_connections, 99u);
  EXPECT_FALSE(parse_options({}, &error, bad_env));
  EXPECT_NE(error.find("ATTRKIT_PORT"), std::string::npos);
}

TEST(Options, LoopbackHosts) {
  for (const char* h :
       {"127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(is_loopback_host(h)) << h;
  }
  for (const char* h : {"0.0.0.0", "::", "10.0.0.1", "192.168.1.2", "example.com", "128.0.0.1",
                        "::ffff:10.0.0.1", ""}) {
    EXPECT_FALSE(is_loopback_host(h)) << h;
  }
}

}  // namespace
}  // namespace attrkit::server
