// Request body parsing (server/json_body.h): lone surrogates reach the core as WTF-8.
#include "server/json_body.h"

#include <gtest/gtest.h>

namespace attrkit::server {
namespace {

TEST(JsonBody, ParsesOrdinaryJson) {
  auto j = parse_json_body(R"({"a": [1, "x"], "b": null})");
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)["a"][1], "x");
}

TEST(JsonBody, RefusesNonJson) {
  EXPECT_FALSE(parse_json_body(""));
  EXPECT_FALSE(parse_json_body("{"));
  EXPECT_FALSE(parse_json_body("plan=Pro"));
  EXPECT_FALSE(parse_json_body("{} {}"));
  EXPECT_FALSE(parse_json_body(R"({"a": "\ud800)"));  // unterminated even after marking
}

TEST(JsonBody, KeepsLoneSurrogatesAsWtf8) {
  auto j = parse_json_body(R"({"v": "Sam\ud800", "w": ["\uDC00x"]})");
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)["v"].get<std::string>(), "Sam\xED\xA0\x80");
  EXPECT_EQ((*j)["w"][0].get<std::string>(), "\xED\xB0\x80x");
}

TEST(JsonBody, PairsAndEscapedBackslashesAreUntouched) {
  auto j = parse_json_body(R"({"pair": "\ud83d\ude00", "lit": "\\ud800", "lone": "\ud83d"})");
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)["pair"].get<std::string>(), "\xF0\x9F\x98\x80");
  EXPECT_EQ((*j)["lit"].get<std::string>(), "\\ud800");
  EXPECT_EQ((*j)["lone"].get<std::string>(), "\xED\xA0\xBD");
}

TEST(JsonBody, ReversedPairIsTwoLoneSurrogates) {
  auto j = parse_json_body(R"(["\ude00\ud83d"])");
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)[0].get<std::string>(), "\xED\xB8\x80\xED\xA0\xBD");
}

TEST(JsonBody, DumpNeverThrowsOnWtf8) {
  Json j = {{"id", std::string("a\xED\xA0\x80")}};
  std::string text;
  EXPECT_NO_THROW(text = dump_json(j));
  EXPECT_NE(text.find("a\xEF\xBF\xBD"), std::string::npos);  // U+FFFD
}

}  // namespace
}  // namespace attrkit::server
