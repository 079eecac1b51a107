// Keys and access levels (server/auth.h) against a real (in-memory) store.
#include "server/auth.h"

#include <gtest/gtest.h>

#include <cctype>
#include <vector>

#include "core/keys.h"
#include "server/key_hash.h"
#include "server/random_id.h"
#include "server/sqlite_store.h"
#include "server/workspace_admin.h"

namespace attrkit::server {
namespace {

TEST(BearerToken, ParsesTheScheme) {
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("bearer   abc"), "abc");
  EXPECT_EQ(bearer_token("Bearer abc "), "abc ");  // nothing trimmed after the key
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
      pk_ = issue_key(tx, "ws_1", KeyRole::publishable, 1).key;
      sk_ = issue_key(tx, "ws_1", KeyRole::secret, 2).key;
    });
  }

  std::variant<Principal, ApiError> auth(const std::string& header) {
    return store_.transact([&](Tx& tx) { return authenticate(tx, header); });
  }

  SqliteStore store_{":memory:"};
  std::string pk_;
  std::string sk_;
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

TEST_F(AuthStore, AnyStrayByteIsA401) {
  // The key then one more byte: NUL and what follows, spaces, control bytes, non-ASCII, '%'.
  const std::vector<std::string> tails = {std::string("\0", 1),
                                          std::string("\0x", 2),
                                          " ",
                                          " x",
                                          "\t",
                                          "\x01",
                                          "\x7f",
                                          "\xc3\xa9",
                                          "%00",
                                          "=",
                                          "."};
  for (const std::string* key : {&pk_, &sk_}) {
    for (const std::string& tail : tails) {
      auto r = auth("Bearer " + *key + tail);
      ASSERT_TRUE(std::holds_alternative<ApiError>(r)) << tail.size();
      EXPECT_EQ(std::get<ApiError>(r).code, "invalid_key");
    }
    // A stray byte inside the key, or before it.
    std::string inside = *key;
    inside.insert(12, std::string("\0", 1));
    EXPECT_TRUE(std::holds_alternative<ApiError>(auth("Bearer " + inside)));
    EXPECT_TRUE(std::holds_alternative<ApiError>(auth("Bearer \t" + *key)));
    EXPECT_TRUE(std::holds_alternative<ApiError>(auth(std::string("Bearer\0 ", 8) + *key)));
  }
}

TEST_F(AuthStore, OnlyTheHashIsStoredAndARevokedKeyIsRefused) {
  auto rows = store_.transact([](Tx& tx) { return tx.keys("ws_1"); });
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].key_hash, key_hash(sk_));
  EXPECT_EQ(rows[1].key_hash.size(), 64u);
  EXPECT_EQ(rows[1].hint, sk_.substr(0, 12));
  ASSERT_TRUE(std::holds_alternative<Principal>(auth("Bearer " + sk_)));
  EXPECT_TRUE(store_.transact([&](Tx& tx) { return tx.revoke_key(rows[1].id, 5); }));
  EXPECT_FALSE(store_.transact([&](Tx& tx) { return tx.revoke_key(rows[1].id, 6); }));
  auto r = auth("Bearer " + sk_);
  ASSERT_TRUE(std::holds_alternative<ApiError>(r));
  EXPECT_EQ(std::get<ApiError>(r).code, "invalid_key");
  EXPECT_TRUE(std::holds_alternative<Principal>(auth("Bearer " + pk_)));
}

TEST(KeyHash, IsSha256Hex) {
  EXPECT_EQ(key_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(same_secret("abc", "abc"));
  EXPECT_FALSE(same_secret("abc", "abd"));
  EXPECT_FALSE(same_secret("abc", "abcd"));
}

TEST(Authorize, TheAccessMatrix) {
  Principal pk{"key_1", KeyRole::publishable, WorkspaceRow{"ws", "", false, 1, false}};
  Principal pk_on = pk;
  pk_on.workspace.client_attribute_writes = true;
  Principal sk{"key_2", KeyRole::secret, WorkspaceRow{"ws", "", false, 1, false}};

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
