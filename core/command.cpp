#include "command.h"

#include <string>

#include "engine_json.h"

namespace attrkit {
namespace {

constexpr std::uint64_t kFunctionSubtype = 1;

Result<Command> fail(const char** why, const char* reason) {
  if (why) *why = reason;
  return Error::invalid_command;
}

// A callback slot: absent, null or a function. Anything else (a string, an object...) is a
// mistake the developer should hear about rather than have silently ignored.
bool is_optional_callback(const Json& j) { return j.is_null() || is_function_marker(j); }

// [obj], [obj, {refetchBoosted?, removeUnspecified?}], [obj, refetch], [obj, refetch, remove]:
// the object form is what DESIGN §2a documents, the positional form is what older snippets send.
Result<Command> parse_set_attributes(const Json& args, const char** why) {
  if (args.empty() || args.size() > 3)
    return fail(why, "set user:attributes expects [attributes, options?]");
  if (!args[0].is_object()) return fail(why, "set user:attributes expects an object of attributes");
  Command c;
  c.kind = CommandKind::set_attributes;
  c.attributes = args[0];
  if (args.size() == 2 && args[1].is_object()) {
    for (const auto& [key, value] : members(args[1])) {
      bool* target = nullptr;
      if (key == "refetchBoosted") target = &c.refetch_boosted;
      else if (key == "removeUnspecified") target = &c.remove_unspecified;
      // An unknown option is most likely a typo of one of the two; ignoring it would silently
      // change what gets stored.
      else return fail(why, "unknown option: use refetchBoosted or removeUnspecified");
      if (!value.is_boolean()) return fail(why, "set user:attributes options must be booleans");
      *target = value.get<bool>();
    }
    return c;
  }
  bool* positional[2] = {&c.refetch_boosted, &c.remove_unspecified};
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i].is_null()) continue;  // null = the default, as older snippets pass it
    if (!args[i].is_boolean())
      return fail(why,
                  "set user:attributes expects [attributes, refetchBoosted, removeUnspecified]");
    *positional[i - 1] = args[i].get<bool>();
  }
  return c;
}

Result<Command> parse_set_one(const std::string& name, const Json& args, const char** why) {
  Command c;
  const char* key = nullptr;
  if (name == "user:name") {
    c.kind = CommandKind::set_name;
    key = "name";
  } else if (name == "user:email") {
    c.kind = CommandKind::set_email;
    key = "email";
  } else if (name == "user:language") {
    c.kind = CommandKind::set_language;
    key = "language";
  } else return fail(why, "unknown set command");
  if (args.size() != 1) return fail(why, "set user:name/email/language expects [value]");
  c.attributes[key] = args[0];
  return c;
}

}  // namespace

Json function_marker() { return Json::binary(Json::binary_t::container_type{}, kFunctionSubtype); }

bool is_function_marker(const Json& j) {
  return j.is_binary() && j.get_binary().has_subtype() &&
         j.get_binary().subtype() == kFunctionSubtype;
}

bool contains_non_json(const Json& j) {
  if (j.is_binary()) return true;
  if (j.is_array() || j.is_object())
    for (const Json& item : j)
      if (contains_non_json(item)) return true;
  return false;
}

Result<Command> parse_command(const Json& cmd, const char** why) {
  if (!cmd.is_array() || cmd.size() < 2 || cmd.size() > 3)
    return fail(why, "a command is [verb, name, args]");
  if (!cmd[0].is_string() || !cmd[1].is_string())
    return fail(why, "a command's verb and name are strings");
  static const Json kNoArgs = json_array();
  const Json& args = cmd.size() == 3 ? cmd[2] : kNoArgs;
  if (!args.is_array()) return fail(why, "a command's args are an array");
  const std::string& verb = cmd[0].get_ref<const std::string&>();
  const std::string& name = cmd[1].get_ref<const std::string&>();

  Command c;
  if (verb == "do") {
    if (name == "init") {
      if (args.size() != 1 || !args[0].is_object())
        return fail(why, "do init expects [{publicKey, apiHost}]");
      c.kind = CommandKind::init;
      c.options = args[0];
      return c;
    }
    if (name == "identify") {
      if (args.empty() || args.size() > 2)
        return fail(why, "do identify expects [distinctId, callback?]");
      if (args.size() == 2 && !is_optional_callback(args[1]))
        return fail(why, "do identify's second argument must be a function");
      c.kind = CommandKind::identify;
      c.distinct_id = args[0];
      if (args.size() == 2 && is_function_marker(args[1])) c.callback_index = 1;
      return c;
    }
    if (name == "reset") {
      if (!args.empty()) return fail(why, "do reset expects []");
      c.kind = CommandKind::reset;
      return c;
    }
    if (name == "debug") {
      if (args.size() != 1 || !args[0].is_boolean())
        return fail(why, "do debug expects [true] or [false]");
      c.kind = CommandKind::debug;
      c.enabled = args[0].get<bool>();
      return c;
    }
    if (name == "consent") {
      const std::string* value = args.size() == 1 ? args[0].get_ptr<const std::string*>() : nullptr;
      if (!value || (*value != "granted" && *value != "denied"))
        return fail(why, "do consent expects [\"granted\"] or [\"denied\"]");
      c.kind = CommandKind::consent;
      c.enabled = *value == "granted";
      return c;
    }
    return fail(why, "unknown do command: use init, identify, reset, consent or debug");
  }
  if (verb == "set") {
    if (name == "user:attributes") return parse_set_attributes(args, why);
    return parse_set_one(name, args, why);
  }
  if (verb == "get") {
    if (name != "user:attributes") return fail(why, "unknown get command: use user:attributes");
    if (!args.empty()) return fail(why, "get user:attributes expects []");
    c.kind = CommandKind::get_attributes;
    return c;
  }
  if (verb == "on" || verb == "off") {
    if (!event_from_name(name, &c.event))
      return fail(why, "unknown event: use error, ready, identified or delivered");
    if (verb == "on") {
      if (args.size() != 1 || !is_function_marker(args[0]))
        return fail(why, "on expects [function]");
      c.kind = CommandKind::on;
      c.callback_index = 0;
      return c;
    }
    if (args.size() > 1 || (args.size() == 1 && !is_optional_callback(args[0])))
      return fail(why, "off expects [function?]");
    c.kind = CommandKind::off;
    if (args.size() == 1 && is_function_marker(args[0])) c.callback_index = 0;
    return c;
  }
  return fail(why, "unknown verb: use set, get, do, on or off");
}

}  // namespace attrkit
