// API keys (core/keys.h) and the error-code table (core/error.h): the identifiers that cross
// HTTP and JS.
#include "core/keys.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/error.h"

namespace attrkit {
namespace {

TEST(Keys, ClassifiesPublishableAndSecret) {
  EXPECT_EQ(classify_key("pk_live_abcdefghijklmnopqrstuvwx"), KeyKind::publishable);  // 24
  EXPECT_EQ(classify_key("sk_live_ABCDEFGHIJKLMNOPQRSTUVWX"), KeyKind::secret);
  EXPECT_EQ(classify_key("pk_live_0123456789abcdefABCDEF0123456789"), KeyKind::publishable);
  EXPECT_EQ(classify_key("pk_live_" + std::string(120, 'a')), KeyKind::publishable);  // 128
}

TEST(Keys, RefusesMalformedKeys) {
  const std::string bad[] = {
      "",
      "pk_live_",
      "pk_live_abcdefghijklmnopqrstuvw",   // 23
      "pk_live_" + std::string(121, 'a'),  // 129 in all
      "pk_test_abcdefghijklmnopqrstuvwx",
      "PK_LIVE_abcdefghijklmnopqrstuvwx",
      "pk_abcdefghijklmnopqrstuvwxyzab",
      "xk_live_abcdefghijklmnopqrstuvwx",
      "pk_live_abcdefghijkl-mnopqrstuvwx",
      "pk_live_abcdefghijkl_mnopqrstuvwx",
      "pk_live_abcdefghijklmnopqrstuvwx ",
      " pk_live_abcdefghijklmnopqrstuvwx",
      "Bearer pk_live_abcdefghijklmnopqrstuvwx",
      "pk_live_abcdefghijklmnopqrstuv\xc3\xa9",
      std::string("pk_live_abcdefghijklmnopqrstuvwx\0", 33),
  };
  for (const std::string& k : bad) EXPECT_EQ(classify_key(k), KeyKind::invalid) << k;
}

constexpr Error kAll[] = {
    Error::ok,
    Error::attribute_not_defined,
    Error::attribute_value_invalid,
    Error::attribute_value_too_long,
    Error::attribute_archived,
    Error::distinct_id_invalid,
    Error::client_attribute_writes_disabled,
    Error::invalid_key,
    Error::secret_key_in_browser,
    Error::invalid_command,
    Error::queue_full,
    Error::payload_too_large,
    Error::rate_limited,
    Error::invalid_request,
    Error::invalid_config,
    Error::invalid_api_host,
    Error::snapshot_invalid,
    Error::snapshot_foreign,
    Error::snapshot_version,
    Error::delivery_failed,
    Error::not_found,
    Error::server_error,
};

TEST(ErrorCodes, NamesAreUniqueAndRoundTrip) {
  std::set<std::string> names;
  for (const Error e : kAll) {
    const std::string name = error_name(e);
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_EQ(error_from_name(name), e) << name;
  }
  EXPECT_EQ(names.size(), sizeof(kAll) / sizeof(kAll[0]));
  EXPECT_STREQ(error_name(Error::attribute_value_too_long), "attribute_value_too_long");
  EXPECT_STREQ(error_name(Error::client_attribute_writes_disabled),
               "client_attribute_writes_disabled");
}

TEST(ErrorCodes, UnknownNamesAreServerErrors) {
  EXPECT_EQ(error_from_name(""), Error::server_error);
  EXPECT_EQ(error_from_name("Attribute_Not_Defined"), Error::server_error);
  EXPECT_EQ(error_from_name("teapot"), Error::server_error);
  EXPECT_STREQ(error_name(static_cast<Error>(200)), "server_error");
}

TEST(ErrorCodes, HttpStatusesFollowTheDesignTable) {
  EXPECT_EQ(error_status(Error::attribute_not_defined), 400);
  EXPECT_EQ(error_status(Error::attribute_value_invalid), 400);
  EXPECT_EQ(error_status(Error::attribute_value_too_long), 400);
  EXPECT_EQ(error_status(Error::attribute_archived), 400);
  EXPECT_EQ(error_status(Error::distinct_id_invalid), 400);
  EXPECT_EQ(error_status(Error::invalid_request), 400);
  EXPECT_EQ(error_status(Error::invalid_config), 400);
  EXPECT_EQ(error_status(Error::client_attribute_writes_disabled), 403);
  EXPECT_EQ(error_status(Error::invalid_key), 401);
  EXPECT_EQ(error_status(Error::payload_too_large), 413);
  EXPECT_EQ(error_status(Error::rate_limited), 429);
  EXPECT_EQ(error_status(Error::not_found), 404);
  EXPECT_EQ(error_status(Error::server_error), 500);
  // Never sent by the server.
  for (const Error e : {Error::ok, Error::secret_key_in_browser, Error::invalid_command,
                        Error::queue_full, Error::invalid_api_host, Error::snapshot_invalid,
                        Error::snapshot_foreign, Error::snapshot_version, Error::delivery_failed}) {
    EXPECT_EQ(error_status(e), 0) << error_name(e);
  }
}

}  // namespace
}  // namespace attrkit
