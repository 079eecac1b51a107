// A changed workspace config re-validates what is queued (issue 13; docs/engine.md "Config"):
// writes validated under the older definitions (held before an identify, or waiting in the outbox)
// are validated again under the new ones before anything sends them. A write the new definitions
// refuse fails as a command would (one error event, its pending tickets fail); one they accept
// takes the new normalised form (an option's declared spelling may have changed). Writes in
// flight have left already: the server judges them.
#include <utility>
#include <vector>

#include "batch.h"
#include "engine.h"
#include "engine_errors.h"
#include "validate.h"

namespace attrkit {
namespace {

Result<Json> validate_clear_write(const Config& config, const std::string& attribute,
                                  std::string* why) {
  const Error e = validate_clear(config, attribute, true, why);
  if (e != Error::ok) return e;
  return Json(nullptr);
}

}  // namespace

void Engine::revalidate_queued() {
  double retry_at = 0;
  std::vector<Write> outbox = take_outbox(&retry_at);
  std::vector<Write>* lists[] = {&held_, &outbox};
  for (std::vector<Write>* list : lists) {
    std::vector<Write> kept;
    for (Write& w : *list) {
      std::string why;
      // A clear is checked as a clear (its value stays null), a set as a set.
      Result<Json> v = w.clear ? validate_clear_write(*config_, w.attribute, &why)
                               : validate_write(*config_, w.attribute, w.value, &why);
      if (!v.ok()) {
        const ErrorObject error = make_error(v.error(), why, w.attribute);
        std::vector<Write> failed;
        failed.push_back(std::move(w));
        fail_writes(std::move(failed), error);
        continue;
      }
      w.value = std::move(v).value();
      w.bytes = estimate_write_bytes(w);
      kept.push_back(std::move(w));
    }
    *list = std::move(kept);
  }
  refill_outbox(std::move(outbox), retry_at);
}

}  // namespace attrkit
