// API keys (DESIGN §7): "pk_live_" / "sk_live_" followed by at least 24 of [A-Za-z0-9].
#pragma once
#include <string_view>

namespace attrkit {

enum class KeyKind { invalid, publishable, secret };

KeyKind classify_key(std::string_view key);

}  // namespace attrkit
