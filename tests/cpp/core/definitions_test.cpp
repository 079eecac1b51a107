// Definitions and configs (core/definitions.h), and the parts of core/validate.h that the JSON
// fixtures cannot express (values only the bindings produce: NaN, Infinity, binary markers).
#include "core/definitions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "core/validate.h"

namespace attrkit {
namespace {

Json parse(const char* text) { return Json::parse(text); }

TEST(Definitions, DefinitionKeys) {
  EXPECT_TRUE(is_valid_definition_key("plan"));
  EXPECT_TRUE(is_valid_definition_key("_private"));
  EXPECT_TRUE(is_valid_definition_key("__proto__"));
  EXPECT_TRUE(is_valid_definition_key("Plan2"));
  EXPECT_TRUE(is_valid_definition_key(std::string(64, 'k')));
  EXPECT_FALSE(is_valid_definition_key(std::string(65, 'k')));
  EXPECT_FALSE(is_valid_definition_key(""));
  EXPECT_FALSE(is_valid_definition_key("2plan"));
  EXPECT_FALSE(is_valid_definition_key("team-size"));
  EXPECT_FALSE(is_valid_definition_key("team.size"));
  EXPECT_FALSE(is_valid_definition_key("caf\xc3\xa9"));
  EXPECT_FALSE(is_valid_definition_key("name"));
  EXPECT_FALSE(is_valid_definition_key("email"));
  EXPECT_FALSE(is_valid_definition_key("language"));
  EXPECT_TRUE(is_valid_definition_key("Name"));
}

TEST(Definitions, ParsesEveryField) {
  const Result<Definition> d = parse_definition(parse(
      R"({"key":"team_size","type":"number","min":1,"max":10000,"integer":true,"archived":true})"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.value().key, "team_size");
  EXPECT_EQ(d.value().type, AttrType::number);
  EXPECT_EQ(d.value().min, 1.0);
  EXPECT_EQ(d.value().max, 10000.0);
  EXPECT_TRUE(d.value().integer);
  EXPECT_TRUE(d.value().archived);
  EXPECT_FALSE(d.value().builtin);

  const Result<Definition> c = parse_definition(parse(
      R"({"key":"tags","type":"multi_choice","options":["a","b"],"allow_custom":true,"max_length":9})"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.value().options, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(c.value().allow_custom);
  EXPECT_EQ(c.value().max_length, 9u);
  EXPECT_EQ(c.value().max_items, kDefaultMaxItems);

  const Result<Definition> a =
      parse_definition(parse(R"({"key":"skills","type":"string_array","max_items":3})"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.value().max_items, 3u);
  EXPECT_EQ(a.value().max_length, kDefaultMaxLength);
}

TEST(Definitions, RefusesMalformedDefinitions) {
  const char* bad[] = {
      R"([])",
      R"("plan")",
      R"(null)",
      R"({})",
      R"({"key":"plan"})",
      R"({"type":"string"})",
      R"({"key":"plan","type":"enum"})",
      R"({"key":"plan","type":"single_choice"})",
      R"({"key":"plan","type":"single_choice","options":[]})",
      R"({"key":"plan","type":"single_choice","options":["a","A"]})",
      R"({"key":"plan","type":"single_choice","options":["a",null]})",
      R"({"key":"n","type":"number","min":3,"max":2})",
      R"({"key":"n","type":"number","min":true})",
      R"({"key":"s","type":"string","max_length":0})",
      R"({"key":"s","type":"string","max_length":2.5})",
      R"({"key":"s","type":"string","max_length":-3})",
      R"({"key":"s","type":"string_array","max_items":1e10})",
      R"({"key":"s","type":"string","archived":"no"})",
      R"({"key":"name","type":"string"})",
      R"({"key":"x","type":"email"})",
      R"({"key":"x","type":"language"})",
      R"({"key":1,"type":"string"})",
  };
  for (const char* text : bad) {
    const Result<Definition> d = parse_definition(parse(text));
    EXPECT_FALSE(d.ok()) << text;
    EXPECT_EQ(d.error(), Error::invalid_request) << text;
  }
  Json nan_min = parse(R"({"key":"n","type":"number"})");
  nan_min["min"] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(parse_definition(nan_min).error(), Error::invalid_request);
}

TEST(Definitions, JsonRoundTripIsStable) {
  const char* defs[] = {
      R"({"key":"bio","type":"string","max_length":280})",
      R"({"key":"n","type":"number","min":-1.5,"max":1e300,"integer":false})",
      R"({"key":"n2","type":"number","max":3})",
      R"({"key":"flag","type":"boolean","archived":true})",
      R"({"key":"d","type":"date"})",
      R"({"key":"plan","type":"single_choice","options":["Free","Pro"],"allow_custom":true})",
      R"({"key":"topics","type":"multi_choice","options":["A"],"max_length":3})",
      R"({"key":"skills","type":"string_array","max_items":7,"max_length":12})",
  };
  for (const char* text : defs) {
    const Result<Definition> d = parse_definition(parse(text));
    ASSERT_TRUE(d.ok()) << text;
    const Json once = definition_to_json(d.value());
    const Result<Definition> again = parse_definition(once);
    ASSERT_TRUE(again.ok()) << once.dump();
    EXPECT_EQ(definition_to_json(again.value()), once) << text;
  }
}

TEST(Definitions, BuiltIns) {
  const std::vector<Definition>& b = builtin_definitions();
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].key, "name");
  EXPECT_EQ(b[0].type, AttrType::string);
  EXPECT_EQ(b[0].max_length, 700u);
  EXPECT_EQ(b[1].key, "email");
  EXPECT_EQ(b[1].type, AttrType::email);
  EXPECT_EQ(b[1].max_length, 254u);
  EXPECT_EQ(b[2].key, "language");
  EXPECT_EQ(b[2].type, AttrType::language);
  for (const Definition& d : b) {
    EXPECT_TRUE(d.builtin);
    EXPECT_FALSE(d.archived);
  }
}

TEST(Config, ParsesAndAddsBuiltIns) {
  const Result<Config> c = parse_config(parse(R"({"workspace":"acme","clientAttributeWrites":true,
      "definitionsVersion":12,"attributes":[{"key":"plan","type":"single_choice","options":["Pro"]},
      {"key":"email","type":"string"}]})"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.value().workspace, "acme");
  EXPECT_TRUE(c.value().client_attribute_writes);
  EXPECT_EQ(c.value().definitions_version, "12");
  EXPECT_EQ(c.value().attributes.size(), 4u);
  EXPECT_EQ(c.value().attributes.at("email").type, AttrType::email)
      << "a listed built-in is ignored";
  EXPECT_TRUE(c.value().attributes.at("name").builtin);
  EXPECT_EQ(c.value().attributes.count("__proto__"), 0u);

  const Json out = config_to_json(c.value());
  ASSERT_EQ(out["attributes"].size(), 1u) << "built-ins are implicit";
  const Result<Config> again = parse_config(out);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(config_to_json(again.value()), out);
}

TEST(Config, EveryMalformedConfigIsInvalidConfig) {
  const char* bad[] = {
      R"([])",
      R"({"attributes":[]})",
      R"({"workspace":"w"})",
      R"({"workspace":"w","attributes":[1]})",
      R"({"workspace":"w","attributes":[{"key":"a","type":"string"},{"key":"a","type":"date"}]})",
      R"({"workspace":"w","attributes":[{"key":"email","type":"nope"}]})",
      R"({"workspace":"w","clientAttributeWrites":0,"attributes":[]})",
  };
  for (const char* text : bad)
    EXPECT_EQ(parse_config(parse(text)).error(), Error::invalid_config) << text;
}

Definition def_of(const char* text) {
  const Result<Definition> d = parse_definition(parse(text));
  EXPECT_TRUE(d.ok()) << text;
  return d.value();
}

TEST(Validate, NonFiniteNumbersFromJavaScriptAreInvalid) {
  // JSON text cannot hold these, but the bindings pass a JS NaN or Infinity through as a double.
  const double specials[] = {std::numeric_limits<double>::quiet_NaN(),
                             std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity()};
  const Definition number = def_of(R"({"key":"n","type":"number"})");
  const Definition string = def_of(R"({"key":"s","type":"string"})");
  const Definition date = def_of(R"({"key":"d","type":"date"})");
  const Definition choice =
      def_of(R"({"key":"c","type":"single_choice","options":["NaN","Infinity"]})");
  const Definition array = def_of(R"({"key":"a","type":"string_array"})");
  for (const double x : specials) {
    EXPECT_EQ(normalize_value(number, Json(x)).error(), Error::attribute_value_invalid);
    EXPECT_EQ(normalize_value(string, Json(x)).error(), Error::attribute_value_invalid);
    EXPECT_EQ(normalize_value(date, Json(x)).error(), Error::attribute_value_invalid);
    EXPECT_EQ(normalize_value(choice, Json(x)).error(), Error::attribute_value_invalid);
    EXPECT_EQ(normalize_value(array, Json::array({Json(x)})).error(),
              Error::attribute_value_invalid);
  }
}

TEST(Validate, BinaryMarkersAreInvalidEverywhere) {
  // The bindings turn functions, symbols and bigints into binary values.
  const Json marker = Json::binary({}, 1);
  for (const char* text :
       {R"({"key":"s","type":"string"})", R"({"key":"n","type":"number"})",
        R"({"key":"b","type":"boolean"})", R"({"key":"d","type":"date"})",
        R"({"key":"c","type":"single_choice","options":["a"],"allow_custom":true})",
        R"({"key":"m","type":"multi_choice","options":["a"],"allow_custom":true})",
        R"({"key":"a","type":"string_array"})"}) {
    EXPECT_EQ(normalize_value(def_of(text), marker).error(), Error::attribute_value_invalid)
        << text;
    EXPECT_EQ(normalize_value(def_of(text), Json::array({marker})).error(),
              Error::attribute_value_invalid)
        << text;
  }
  EXPECT_EQ(validate_distinct_id(marker), Error::distinct_id_invalid);
}

TEST(Validate, NormalizeValueIgnoresArchived) {
  const Definition d = def_of(R"({"key":"old","type":"string","archived":true})");
  ASSERT_TRUE(normalize_value(d, Json("x")).ok());
  Config c;
  c.attributes.emplace(d.key, d);
  EXPECT_EQ(validate_write(c, "old", Json("x")).error(), Error::attribute_archived);
  EXPECT_EQ(validate_write(c, "name", Json("x")).error(), Error::attribute_not_defined)
      << "a hand-built Config holds exactly what it was given";
}

TEST(Validate, NumbersNormaliseToIntegersWithinTwoToThe53) {
  const Definition d = def_of(R"({"key":"n","type":"number"})");
  const Result<Json> a = normalize_value(d, Json(12.0));
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a.value().is_number_integer());
  const Result<Json> b = normalize_value(d, Json(9007199254740994.0));
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b.value().is_number_float());
  const Result<Json> c = normalize_value(d, Json(-0.0));
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c.value().is_number_integer());
  EXPECT_FALSE(std::signbit(c.value().get<double>()));
  const Result<Json> u = normalize_value(d, Json(std::uint64_t{18446744073709551615ULL}));
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u.value().get<double>(), 18446744073709551616.0);
}

TEST(Validate, LargeValuesStayLinear) {
  // 100 items of 700 emoji each, and a 1 MB string: the validators make one pass.
  const Definition a = def_of(R"({"key":"a","type":"string_array"})");
  std::string emoji;
  for (int k = 0; k < 700; ++k) emoji += "\xf0\x9f\x98\x80";
  Json items = Json::array();
  for (int k = 0; k < 100; ++k) items.push_back(emoji);
  ASSERT_TRUE(normalize_value(a, items).ok());
  const Definition s = def_of(R"({"key":"s","type":"string"})");
  EXPECT_EQ(normalize_value(s, Json(std::string(1 << 20, 'x'))).error(),
            Error::attribute_value_too_long);
}

}  // namespace
}  // namespace attrkit

namespace attrkit {
namespace {

// DELETE's rules, shared by the server and the browser: the flag first (a public key), then the
// key.
TEST(ValidateClear, FlagThenDeclaredThenArchived) {
  Json j = Json::parse(R"({"workspace":"acme","clientAttributeWrites":true,"attributes":[
      {"key":"plan","type":"string"},{"key":"old","type":"string","archived":true}]})");
  Result<Config> on = parse_config(j);
  ASSERT_TRUE(on.ok());
  EXPECT_EQ(validate_clear(on.value(), "plan", true), Error::ok);
  EXPECT_EQ(validate_clear(on.value(), "email", true), Error::ok);  // built-in
  EXPECT_EQ(validate_clear(on.value(), "nope", true), Error::attribute_not_defined);
  EXPECT_EQ(validate_clear(on.value(), "__proto__", true), Error::attribute_not_defined);
  EXPECT_EQ(validate_clear(on.value(), "old", true), Error::attribute_archived);
  j["clientAttributeWrites"] = false;
  Result<Config> off = parse_config(j);
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(validate_clear(off.value(), "nope", true), Error::client_attribute_writes_disabled);
  EXPECT_EQ(validate_clear(off.value(), "plan", false), Error::ok);  // a secret key may
  EXPECT_EQ(validate_clear(off.value(), "old", false), Error::attribute_archived);
}

}  // namespace
}  // namespace attrkit
