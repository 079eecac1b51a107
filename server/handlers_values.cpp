#include "server/handlers.h"
#include "server/workspace_config.h"
#include "server/writes.h"

namespace attrkit::server {
namespace {

// Each write endpoint validates against the workspace's definitions as of this transaction.
Reply with_scope(ApiCall& call, Reply (*write)(WriteScope&, const Json&)) {
  Config config = load_config(call.tx, call.who.workspace);
  WriteScope scope{call.tx, config, call.now_ms};
  return write(scope, call.body);
}

}  // namespace

Reply post_value(ApiCall& call) { return with_scope(call, set_attribute); }
Reply delete_value(ApiCall& call) { return with_scope(call, clear_attribute); }
Reply post_batch(ApiCall& call) { return with_scope(call, apply_batch); }

}  // namespace attrkit::server
