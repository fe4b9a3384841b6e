// The forms of goalctl ui, as edits of the replica: each goes through Replica::Submit, so the
// kernel validates it against the shown plan exactly as for goalctl, and a refused edit
// returns the kernel's message and writes nothing.
#ifndef GOALSYNC_CLI_UI_UI_EDITS_H_
#define GOALSYNC_CLI_UI_UI_EDITS_H_

#include <string>

#include "absl/status/statusor.h"
#include "cli/ui/page_json.h"
#include "goalsync/replica.h"

namespace goalsync::cli::ui {

// `body` is {"payload": <a goalsync.v1.Payload in proto3 JSON>}. Ids the user need not type
// are filled in as goalctl does: a review's id, a change request's id, and the goal of an
// approval, rejection or conflict resolution. Returns {"recorded": "<what>"}.
absl::StatusOr<Json> SubmitEdit(client::Replica& replica, const std::string& body);

// goalctl target set: {"goal", "floor"?, "base"?, "stretch"?, "periods": {"2026-Q4": 12},
// "reason", "evidence": [...], "direct": bool}. Setting a target for the first time is
// planning; changing one opens a change request (with a reason) unless direct.
absl::StatusOr<Json> SetTargets(client::Replica& replica, const std::string& body);

// {"eventId"}: forgets a refused edit the user has seen.
absl::StatusOr<Json> DismissRejected(client::Replica& replica, const std::string& body);

}  // namespace goalsync::cli::ui

#endif  // GOALSYNC_CLI_UI_UI_EDITS_H_
