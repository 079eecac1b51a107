// The push-command grammar and the init options: unit tests plus the shared fixtures
// tests/fixtures/commands/*.json (the Wasm suite runs the same files).
#include "core/command.h"

#include <gtest/gtest.h>

#include <string>

#include "core/engine_json.h"
#include "core/error.h"
#include "core/init_options.h"
#include "engine_test_support.h"

namespace attrkit {
namespace {

using testing_support::match;
using testing_support::materialize;

Json parsed_json(const Json& cmd) {
  Result<Command> r = parse_command(cmd);
  if (!r.ok()) return Json{{"ok", false}, {"code", error_name(r.error())}};
  Json j = command_to_json(r.value());
  j["ok"] = true;
  return j;
}

Json init_json(const Json& options) {
  Result<InitOptions> r = parse_init_options(options);
  if (!r.ok()) return Json{{"ok", false}, {"code", error_name(r.error())}};
  Json j = init_options_to_json(r.value());
  j["ok"] = true;
  return j;
}

TEST(Command, FunctionMarkerIsBinarySubtypeOne) {
  const Json fn = function_marker();
  EXPECT_TRUE(fn.is_binary());
  EXPECT_TRUE(is_function_marker(fn));
  EXPECT_FALSE(is_function_marker(Json::binary(Json::binary_t::container_type{}, 0)));
  EXPECT_FALSE(is_function_marker(Json::binary(Json::binary_t::container_type{})));
  EXPECT_FALSE(is_function_marker(Json("function")));
  EXPECT_FALSE(is_function_marker(Json(nullptr)));
}

TEST(Command, ParsesBothOptionFormsToTheSameCommand) {
  const Json attrs = {{"plan", "Pro"}};
  const Json object_form =
      Json::array({"set", "user:attributes",
                   Json::array({attrs, {{"refetchBoosted", true}, {"removeUnspecified", true}}})});
  const Json positional = Json::array({"set", "user:attributes", Json::array({attrs, true, true})});
  Result<Command> a = parse_command(object_form);
  Result<Command> b = parse_command(positional);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(command_to_json(a.value()), command_to_json(b.value()));
  EXPECT_TRUE(a.value().refetch_boosted);
  EXPECT_TRUE(a.value().remove_unspecified);
  EXPECT_EQ(a.value().attributes, attrs);
}

TEST(Command, FailureExplainsWhy) {
  const char* why = nullptr;
  Result<Command> r =
      parse_command(Json::array({"on", "error", Json::array({"not a function"})}), &why);
  EXPECT_EQ(r.error(), Error::invalid_command);
  ASSERT_NE(why, nullptr);
  EXPECT_NE(std::string(why).find("function"), std::string::npos);
}

TEST(Command, CallbackIndexPointsAtTheFunction) {
  Result<Command> r =
      parse_command(Json::array({"do", "identify", Json::array({"u-1", function_marker()})}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().callback_index, 1);
  EXPECT_TRUE(
      is_function_marker(Json::array({"u-1", function_marker()})[r.value().callback_index]));
}

TEST(InitOptions, SecretKeyWinsOverEveryOtherProblem) {
  EXPECT_EQ(parse_init_options(Json{{"publicKey", "sk_live_abcdefghijklmnopqrstuvwxyz"}}).error(),
            Error::secret_key_in_browser);
  EXPECT_EQ(parse_init_options(Json("pk")).error(), Error::invalid_command);
}

TEST(InitOptions, LoopbackRule) {
  EXPECT_TRUE(normalize_api_host("http://127.0.0.1").ok());
  EXPECT_TRUE(normalize_api_host("http://LOCALHOST").ok());
  EXPECT_EQ(normalize_api_host("http://126.0.0.1").error(), Error::invalid_api_host);
  EXPECT_EQ(normalize_api_host("http://[::2]").error(), Error::invalid_api_host);
  EXPECT_EQ(normalize_api_host("http://127.0.0.256").error(), Error::invalid_api_host);
  EXPECT_EQ(normalize_api_host("http://127.1").error(), Error::invalid_api_host);
  EXPECT_EQ(normalize_api_host("ftp://localhost").error(), Error::invalid_api_host);
  EXPECT_EQ(normalize_api_host("https://-bad.example.com").error(), Error::invalid_api_host);
  EXPECT_EQ(normalize_api_host("https://bad..example.com").error(), Error::invalid_api_host);
  EXPECT_EQ(normalize_api_host("https://example.com/a%zz").error(), Error::invalid_api_host);
  EXPECT_EQ(normalize_api_host("https://example.com/a%20b").value(), "https://example.com/a%20b");
}

TEST(CommandFixtures, PartialMatchDetectsDifferences) {
  const Json actual = {{"ok", true}, {"kind", "on"}, {"callback", 0}, {"list", {1, 2}}};
  EXPECT_EQ(match(Json{{"ok", true}}, actual), "");
  EXPECT_EQ(match(Json{{"callback", 0.0}}, actual), "");
  EXPECT_NE(match(Json{{"ok", false}}, actual), "");
  EXPECT_NE(match(Json{{"event", "error"}}, actual), "");
  EXPECT_NE(match(Json{{"callback", {{"$absent", true}}}}, actual), "");
  EXPECT_EQ(match(Json{{"event", {{"$absent", true}}}}, actual), "");
  EXPECT_NE(match(Json{{"list", {1}}}, actual), "");
  EXPECT_EQ(match(Json{{"list", {{{"$any", true}}, 2}}}, actual), "");
}

TEST(CommandFixtures, EveryCaseMatches) {
  int cases = 0;
  int files = 0;
  for (const auto& path : testing_support::fixture_files("commands")) {
    const Json doc = testing_support::read_json_file(path);
    ++files;
    const std::string kind = doc.value("kind", "");
    ASSERT_TRUE(kind == "commands" || kind == "init_options") << path;
    for (const Json& c : doc["cases"]) {
      ++cases;
      const Json actual =
          kind == "commands" ? parsed_json(materialize(c["command"])) : init_json(c["options"]);
      const std::string diff = match(c["expect"], actual);
      EXPECT_EQ(diff, "") << path.filename() << ": " << c["name"].get<std::string>();
    }
  }
  std::printf("[ commands ] %d fixture cases in %d files\n", cases, files);
  EXPECT_GE(cases, 40);
}

}  // namespace
}  // namespace attrkit
