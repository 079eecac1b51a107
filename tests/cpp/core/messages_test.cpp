// Validation messages (DESIGN §2b, core/value_messages.h): how values are echoed, and that the
// engine passes the core's message into its error objects and events. The message of every rule
// is pinned by the shared fixtures (fixtures_test.cpp); this file covers the echo rules and the
// engine's paths, before and after the definitions are known.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/command.h"
#include "core/engine.h"
#include "core/unicode.h"
#include "core/validate.h"
#include "core/value_messages.h"
#include "engine_test_support.h"

namespace attrkit {
namespace {

using testing_support::test_config;

Json set_attrs(Json attrs) {
  return Json::array({"set", "user:attributes", Json::array({std::move(attrs)})});
}
Json identify(const Json& id) { return Json::array({"do", "identify", Json::array({id})}); }

TEST(Messages, TextIsCutAt40CodePointsNeverInsideOne) {
  EXPECT_EQ(shown_text(std::string(40, 'a')), std::string(40, 'a'));
  EXPECT_EQ(shown_text(std::string(41, 'a')), std::string(40, 'a') + "\xE2\x80\xA6");
  std::string emoji;
  for (int k = 0; k < 50; ++k) emoji += "\xF0\x9F\x8E\x89";  // U+1F389, 4 bytes
  EXPECT_EQ(shown_text(emoji), emoji.substr(0, 160) + "\xE2\x80\xA6");
  // A megabyte of input gives a message of at most 40 code points plus the ellipsis.
  EXPECT_EQ(shown_text(std::string(1 << 20, 'x')).size(), 43u);
}

TEST(Messages, MalformedTextAndControlsNeverReachAMessage) {
  // A WTF-8 lone surrogate (what a JS "\uD800" becomes) is one U+FFFD, not three.
  EXPECT_EQ(shown_text(utf16_to_wtf8(u"a\xD800"
                                     u"b")),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(shown_text("\xFF\xFE"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(shown_text("a\nb\tc\x7F"), "a\\u000Ab\\u0009c\\u007F");
  std::size_t count = 0;
  EXPECT_TRUE(utf8_code_points(shown_text(utf16_to_wtf8(u"\xDC00\xD800")), &count));
}

TEST(Messages, ValuesAreNamedOrShownShort) {
  EXPECT_EQ(shown_value(Json("Gold")), "\"Gold\"");
  EXPECT_EQ(shown_value(Json(1e21)), "1e+21");
  EXPECT_EQ(shown_value(Json(-0.0)), "0");
  EXPECT_EQ(shown_value(Json(std::nan(""))), "NaN");
  EXPECT_EQ(shown_value(Json(-HUGE_VAL)), "-Infinity");
  EXPECT_EQ(shown_value(Json(nullptr)), "null");
  EXPECT_EQ(shown_value(Json::array({1, 2})), "an array");
  EXPECT_EQ(shown_value(Json::object()), "an object");
  EXPECT_EQ(shown_value(function_marker()), "a function or other non-JSON value");
  EXPECT_EQ(options_text({"A", "B"}), "A, B");
  EXPECT_EQ(options_text({"1", "2", "3", "4", "5", "6", "7", "8"}), "1, 2, 3, 4, 5 and 3 more");
}

TEST(Messages, TheMessageIsOptional) {
  // The snapshot and the server's hot paths call without a message: the codes are unchanged.
  Definition def;
  def.key = "n";
  def.type = AttrType::number;
  def.min = 1;
  EXPECT_EQ(normalize_value(def, Json(0)).error(), Error::attribute_value_invalid);
  std::string message;
  EXPECT_EQ(normalize_value(def, Json(0), &message).error(), Error::attribute_value_invalid);
  EXPECT_EQ(message, "n: 0 is below the minimum 1");
  EXPECT_EQ(validate_distinct_id(Json("guest")), Error::distinct_id_invalid);
  message.clear();
  EXPECT_EQ(validate_distinct_id(Json("user-1"), &message), Error::ok);
  EXPECT_EQ(message, "");
}

TEST(Messages, TheEngineReportsTheCoresMessage) {
  Engine e("c1");
  e.configure(test_config(), 0);
  const Response bad_id = e.command(identify("undefined"), 0);
  EXPECT_EQ(bad_id.result->error.message,
            "distinctId: \"undefined\" is a placeholder, not a user id");
  e.command(identify("u1"), 0);
  e.take_events();

  const Response r = e.command(set_attrs({{"plan", "Pro"}, {"team_size", 0}}), 0);
  ASSERT_TRUE(r.result);
  const ErrorObject& error = r.result->error;
  EXPECT_EQ(error.code, Error::attribute_value_invalid);
  EXPECT_EQ(error.attribute, "team_size");
  EXPECT_EQ(error.message, "team_size: 0 is below the minimum 1");
  const Events events = e.take_events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(std::get<ErrorEvent>(events[0]).error.message, error.message);

  EXPECT_EQ(e.command(set_attrs({{"bio", "far too long"}}), 0).result->error.message,
            "bio: 12 characters, the maximum is 10");
  EXPECT_EQ(e.command(set_attrs({{"nope", 1}}), 0).result->error.message,
            "\"nope\" is not a declared attribute");
  EXPECT_EQ(e.command(set_attrs({{"plan", function_marker()}}), 0).result->error.message,
            "plan: expected JSON data, got a function or other non-JSON value");
}

TEST(Messages, WritesValidatedWhenTheConfigArrivesCarryTheMessage) {
  Engine e("c1");
  e.command(identify("u1"), 0);
  const Response queued = e.command(set_attrs({{"signup_date", "2024-02-30"}}), 0);
  EXPECT_FALSE(queued.result);  // waits for the definitions
  e.take_events();
  e.configure(test_config(), 0);
  bool seen = false;
  for (const EngineEvent& ev : e.take_events()) {
    const auto* error = std::get_if<ErrorEvent>(&ev);
    if (!error) continue;
    EXPECT_EQ(error->error.message, "signup_date: \"2024-02-30\" is not a real date");
    seen = true;
  }
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace attrkit
