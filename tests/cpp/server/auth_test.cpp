// Keys and access levels (server/auth.h) against a real (in-memory) store.
#include "server/sqlite_store.h"
#include "server/auth.h"

#include <gtest/gtest.h>

#include <cctype>
#include <vector>

#include "core/keys.h"
#include "server/random_id.h"

namespace attrkit::server {
namespace {

TEST(BearerToken, ParsesTheScheme) {
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("bearer   abc  "), "abc");
  EXPECT_EQ(bearer_token("BEARER abc"), "abc");
  EXPECT_EQ(bearer_token("Basic abc"), "");
  EXPECT_EQ(bearer_token("Bearerabc"), "");
  EXPECT_EQ(bearer_token("Bearer"), "");
  EXPECT_EQ(bearer_token(""), "");
}

TEST(RandomIds, HaveTheDocumentedShapes) {
  std::string pk = new_public_key(), sk = new_secret_key();
  EXPECT_EQ(classify_key(pk), KeyKind::publishable);
  EXPECT_EQ(classify_key(sk), KeyKind::secret);
  EXPECT_EQ(pk.size(), 8u + 32u);
  EXPECT_NE(new_public_key(), pk);
  std::string p = new_person_id();
  EXPECT_EQ(p.rfind("p_", 0), 0u);
  EXPECT_EQ(p.size(), 18u);
  for (char c : random_alnum(2000)) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)));
}

class AuthStore : public ::testing::Test {
 protected:
  void SetUp() override {
    store_.transact([&](Tx& tx) {
      WorkspaceRow ws{"ws_1", "One", false, 1, false};
      tx.insert_workspace(ws);
      tx.insert_key(pk_, "ws_1", KeyRole::publishable);
      tx.insert_key(sk_, "ws_1", KeyRole::secret);
    });
  }

  std::variant<Principal, ApiError> auth(const std::string& header) {
    return store_.transact([&](Tx& tx) { return authenticate(tx, header); });
  }

  SqliteStore store_{":memory:"};
  std::string pk_ = new_public_key();
  std::string sk_ = new_secret_key();
};

TEST_F(AuthStore, KnownKeysAuthenticate) {
  auto p = auth("Bearer " + pk_);
  ASSERT_TRUE(std::holds_alternative<Principal>(p));
  EXPECT_EQ(std::get<Principal>(p).role, KeyRole::publishable);
  EXPECT_EQ(std::get<Principal>(p).workspace.id, "ws_1");
  auto s = auth("Bearer " + sk_);
  ASSERT_TRUE(std::holds_alternative<Principal>(s));
  EXPECT_EQ(std::get<Principal>(s).role, KeyRole::secret);
}

TEST_F(AuthStore, MissingMalformedAndUnknownKeysAre401) {
  for (const std::string& header : std::vector<std::string>{
           std::string(), "Bearer", "Bearer pk_live_short", "Token " + pk_,
           "Bearer " + new_public_key(), "Bearer " + new_secret_key(), "Bearer " + pk_ + "!",
           // the secret part of a real key with the other prefix
           "Bearer sk_live_" + pk_.substr(8)}) {
    auto r = auth(header);
    ASSERT_TRUE(std::holds_alternative<ApiError>(r)) << header;
    EXPECT_EQ(std::get<ApiError>(r).status, 401);
    EXPECT_EQ(std::get<ApiError>(r).code, "invalid_key");
  }
}

TEST(Authorize, TheAccessMatrix) {
  Principal pk{"k", KeyRole::publishable, WorkspaceRow{"ws", "", false, 1, false}};
  Principal pk_on = pk;
  pk_on.workspace.client_attribute_writes = true;
  Principal sk{"k", KeyRole::secret, WorkspaceRow{"ws", "", false, 1, false}};

  EXPECT_FALSE(authorize(pk, Access::any_key));
  EXPECT_FALSE(authorize(sk, Access::any_key));
  EXPECT_FALSE(authorize(sk, Access::write));
  EXPECT_FALSE(authorize(sk, Access::secret));
  EXPECT_FALSE(authorize(pk_on, Access::write));

  auto off = authorize(pk, Access::write);
  ASSERT_TRUE(off);
  EXPECT_EQ(off->code, "client_attribute_writes_disabled");
  EXPECT_EQ(off->status, 403);
  for (const Principal* p : {&pk, &pk_on}) {
    auto e = authorize(*p, Access::secret);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, "secret_key_required");
    EXPECT_EQ(e->status, 403);
  }
}

}  // namespace
}  // namespace attrkit::server
