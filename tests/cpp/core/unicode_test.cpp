// utf16_to_wtf8 and utf8_code_points (core/unicode.h), and the decoder behind them.
#include "core/unicode.h"

#include <gtest/gtest.h>

#include <string>

#include "core/text_chars.h"

namespace attrkit {
namespace {

std::size_t count_or_max(std::string_view s) {
  std::size_t n = 0;
  return utf8_code_points(s, &n) ? n : static_cast<std::size_t>(-1);
}
constexpr std::size_t kInvalid = static_cast<std::size_t>(-1);

TEST(Unicode, Utf16ToWtf8EncodesEveryWidth) {
  EXPECT_EQ(utf16_to_wtf8(u""), "");
  EXPECT_EQ(utf16_to_wtf8(u"abc"), "abc");
  EXPECT_EQ(utf16_to_wtf8(u"\u00e9"), "\xc3\xa9");
  EXPECT_EQ(utf16_to_wtf8(u"\u4e2d"), "\xe4\xb8\xad");
  EXPECT_EQ(utf16_to_wtf8(u"\U0001F600"), "\xf0\x9f\x98\x80");
  EXPECT_EQ(utf16_to_wtf8(u"\U0010FFFF"), "\xf4\x8f\xbf\xbf");
  EXPECT_EQ(utf16_to_wtf8(std::u16string(1, u'\0')), std::string(1, '\0'));
}

TEST(Unicode, Utf16ToWtf8KeepsLoneSurrogatesVisible) {
  EXPECT_EQ(utf16_to_wtf8(std::u16string{0xD800}), "\xed\xa0\x80");
  EXPECT_EQ(utf16_to_wtf8(std::u16string{0xDFFF}), "\xed\xbf\xbf");
  EXPECT_EQ(utf16_to_wtf8(std::u16string{0xD800, u'a'}),
            "\xed\xa0\x80"
            "a");
  // Reversed pair: two lone halves, not a code point.
  EXPECT_EQ(utf16_to_wtf8(std::u16string{0xDE00, 0xD83D}), "\xed\xb8\x80\xed\xa0\xbd");
  // A high surrogate followed by a valid pair: the first stays lone.
  EXPECT_EQ(utf16_to_wtf8(std::u16string{0xD83D, 0xD83D, 0xDE00}), "\xed\xa0\xbd\xf0\x9f\x98\x80");
}

TEST(Unicode, CountsCodePointsNotBytesOrUnits) {
  EXPECT_EQ(count_or_max(""), 0u);
  EXPECT_EQ(count_or_max("abc"), 3u);
  EXPECT_EQ(count_or_max("Zo\xc3\xab"), 3u);
  EXPECT_EQ(count_or_max("\xf0\x9f\x98\x80\xf0\x9f\x98\x80"), 2u);
  EXPECT_EQ(count_or_max("e\xcc\x81"), 2u);  // e + combining acute: two code points
  EXPECT_EQ(count_or_max(std::string(700, 'a')), 700u);
  EXPECT_EQ(count_or_max(std::string("a\0b", 3)), 3u);
}

TEST(Unicode, RefusesSurrogatesAndMalformedUtf8) {
  const char* bad[] = {
      "\xed\xa0\x80",              // U+D800 (WTF-8 lone high)
      "\xed\xbf\xbf",              // U+DFFF (WTF-8 lone low)
      "a\xed\xa0\xbd",             // high at the end
      "\xed\xa0\xbd\xed\xb8\x80",  // CESU-8 style pair: two surrogates, not one code point
      "\x80",                      // continuation as lead
      "\xc3",                      // truncated 2-byte
      "\xe4\xb8",                  // truncated 3-byte
      "\xf0\x9f\x98",              // truncated 4-byte
      "\xc0\xaf",                  // overlong '/'
      "\xe0\x80\xaf",              // overlong 3-byte
      "\xf0\x80\x80\xaf",          // overlong 4-byte
      "\xf4\x90\x80\x80",          // above U+10FFFF
      "\xf8\x88\x80\x80\x80",      // 5-byte form
      "\xff",
      "\xc3\x28",  // bad continuation
  };
  for (const char* s : bad) EXPECT_EQ(count_or_max(s), kInvalid) << testing::PrintToString(s);
}

TEST(Unicode, AcceptsTheEdgesOfEachWidth) {
  EXPECT_EQ(count_or_max("\x7f"), 1u);
  EXPECT_EQ(count_or_max("\xc2\x80"), 1u);
  EXPECT_EQ(count_or_max("\xdf\xbf"), 1u);
  EXPECT_EQ(count_or_max("\xe0\xa0\x80"), 1u);
  EXPECT_EQ(count_or_max("\xed\x9f\xbf"), 1u);  // U+D7FF, just below the surrogates
  EXPECT_EQ(count_or_max("\xee\x80\x80"), 1u);  // U+E000, just above
  EXPECT_EQ(count_or_max("\xef\xbf\xbf"), 1u);  // U+FFFF
  EXPECT_EQ(count_or_max("\xf0\x90\x80\x80"), 1u);
  EXPECT_EQ(count_or_max("\xf4\x8f\xbf\xbf"), 1u);  // U+10FFFF
}

TEST(Unicode, RoundTripsEveryBmpScalarAndSomeAstralOnes) {
  for (char32_t c = 0; c < 0x10000; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    const std::string s = utf16_to_wtf8(std::u16string(1, static_cast<char16_t>(c)));
    std::size_t i = 0;
    char32_t back = 0;
    ASSERT_TRUE(next_code_point(s, &i, &back)) << std::hex << c;
    ASSERT_EQ(back, c);
    ASSERT_EQ(i, s.size());
  }
  for (char32_t c = 0x10000; c <= 0x10FFFF; c += 0x1F3) {
    const char16_t pair[2] = {static_cast<char16_t>(0xD800 + ((c - 0x10000) >> 10)),
                              static_cast<char16_t>(0xDC00 + ((c - 0x10000) & 0x3FF))};
    const std::string s = utf16_to_wtf8(std::u16string_view(pair, 2));
    std::size_t i = 0;
    char32_t back = 0;
    ASSERT_TRUE(next_code_point(s, &i, &back));
    ASSERT_EQ(back, c);
    ASSERT_EQ(s.size(), 4u);
  }
}

TEST(TextChars, JsWhitespaceIsTheTrimSet) {
  const char32_t ws[] = {0x09,   0x0A,   0x0B,   0x0C,   0x0D,   0x20,   0xA0,   0x1680,
                         0x2000, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF};
  for (const char32_t c : ws) EXPECT_TRUE(is_js_whitespace(c)) << std::hex << c;
  const char32_t not_ws[] = {0x00, 0x08, 0x0E, 0x1F, 0x21, 0x85, 0x180E, 0x200B, 0x2060, 'a'};
  for (const char32_t c : not_ws) EXPECT_FALSE(is_js_whitespace(c)) << std::hex << c;
}

TEST(TextChars, AsciiCaseOnly) {
  EXPECT_TRUE(ascii_iequal("Pro", "pRO"));
  EXPECT_FALSE(ascii_iequal("Pro", "Pro "));
  EXPECT_TRUE(ascii_iequal("\xc3\x89lite", "\xc3\x89LITE"));   // É kept, ASCII folded
  EXPECT_FALSE(ascii_iequal("\xc3\x89lite", "\xc3\xa9lite"));  // É vs é: no Unicode folding
  EXPECT_FALSE(ascii_iequal("[", "{"));  // 0x5B vs 0x7B: a bit-5 trick would fold them
  EXPECT_EQ(ascii_lower('@'), '@');
  EXPECT_EQ(ascii_upper('`'), '`');
}

}  // namespace
}  // namespace attrkit
