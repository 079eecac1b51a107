// The demo workspace (server/seed.h) and the config the server builds from a stored workspace:
// what GET /api/v1/sdk/config sends must parse with the browser's parse_config unchanged.
#include "server/seed.h"

#include <gtest/gtest.h>

#include <set>

#include "core/definitions.h"
#include "core/keys.h"
#include "server/sqlite_store.h"
#include "server/workspace_config.h"

namespace attrkit::server {
namespace {

TEST(DemoWorkspace, IsCreatedOnceWithStableKeys) {
  SqliteStore store(":memory:");
  EXPECT_FALSE(find_demo_workspace(store));
  DemoWorkspace first = ensure_demo_workspace(store);
  EXPECT_EQ(classify_key(first.public_key), KeyKind::publishable);
  EXPECT_EQ(classify_key(first.secret_key), KeyKind::secret);
  DemoWorkspace again = ensure_demo_workspace(store);
  EXPECT_EQ(again.workspace_id, first.workspace_id);
  EXPECT_EQ(again.public_key, first.public_key);
  EXPECT_EQ(again.secret_key, first.secret_key);
  auto found = find_demo_workspace(store);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->secret_key, first.secret_key);
}

TEST(DemoWorkspace, HasTheDesignAttributesAndClientWritesOn) {
  SqliteStore store(":memory:");
  DemoWorkspace demo = ensure_demo_workspace(store);
  Config c =
      store.transact([&](Tx& tx) { return load_config(tx, *tx.workspace(demo.workspace_id)); });
  EXPECT_TRUE(c.client_attribute_writes);
  const std::map<std::string, AttrType> expected = {
      {"plan", AttrType::single_choice},    {"role", AttrType::single_choice},
      {"persona", AttrType::single_choice}, {"topics", AttrType::multi_choice},
      {"signup_date", AttrType::date},      {"team_size", AttrType::number},
      {"hasInstalled", AttrType::boolean},  {"feature_usage", AttrType::string_array},
  };
  for (const auto& [key, type] : expected) {
    auto it = c.attributes.find(key);
    ASSERT_NE(it, c.attributes.end()) << key;
    EXPECT_EQ(it->second.type, type) << key;
    EXPECT_FALSE(it->second.archived) << key;
  }
  EXPECT_EQ(c.attributes.at("plan").options,
            (std::vector<std::string>{"Free", "Starter", "Pro", "Growth", "Enterprise"}));
  EXPECT_EQ(c.attributes.at("topics").options,
            (std::vector<std::string>{"history", "math", "science", "art"}));
  EXPECT_TRUE(c.attributes.at("team_size").integer);
  int archived = 0;
  for (const auto& [key, d] : c.attributes) archived += d.archived ? 1 : 0;
  EXPECT_EQ(archived, 1);
  for (const char* builtin : {"name", "email", "language"}) {
    EXPECT_TRUE(c.attributes.at(builtin).builtin) << builtin;
  }
}

TEST(WorkspaceConfig, WhatTheServerSendsParsesInTheBrowserUnchanged) {
  SqliteStore store(":memory:");
  DemoWorkspace demo = ensure_demo_workspace(store);
  Json sent = store.transact(
      [&](Tx& tx) { return config_to_json(load_config(tx, *tx.workspace(demo.workspace_id))); });
  Result<Config> parsed = parse_config(sent);
  ASSERT_TRUE(parsed.ok()) << sent.dump();
  EXPECT_EQ(config_to_json(parsed.value()), sent);
  EXPECT_EQ(parsed.value().workspace, demo.workspace_id);
  std::set<std::string> listed;
  for (const Json& d : sent["attributes"]) listed.insert(d["key"].get<std::string>());
  EXPECT_EQ(listed.count("email"), 0u);  // built-ins are implicit
  EXPECT_EQ(listed.size(), 10u);
}

}  // namespace
}  // namespace attrkit::server
