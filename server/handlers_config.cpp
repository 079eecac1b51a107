#include "core/definitions.h"
#include "server/etag.h"
#include "server/handlers.h"
#include "server/workspace_config.h"

namespace attrkit::server {

Reply get_config(ApiCall& call) {
  const WorkspaceRow& ws = call.who.workspace;
  // The workspace is part of the tag so two workspaces served from one origin never share a 304.
  std::string etag = "\"" + ws.id + "." + std::to_string(ws.definitions_version) + "." +
                     (ws.client_attribute_writes ? "1" : "0") + "\"";
  Reply r;
  r.headers = {{"ETag", etag}, {"Cache-Control", "no-cache"}, {"Vary", "Authorization"}};
  if (if_none_match_hits(call.if_none_match, etag)) {
    r.status = 304;
    return r;
  }
  r.body = config_to_json(load_config(call.tx, ws));
  return r;
}

}  // namespace attrkit::server
