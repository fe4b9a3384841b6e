// Who may do what (docs/architecture.md, "Roles"): the one table of (role, action), and the
// rules an editor's events are held to. Pure: the server calls it for every call and every
// event; a client may call it to say early what the server will refuse.
#ifndef GOALSYNC_CORE_AUTHZ_H_
#define GOALSYNC_CORE_AUTHZ_H_

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "goalsync/v1/admin.pb.h"
#include "goalsync/v1/event.pb.h"
#include "goalsync/v1/state.pb.h"

namespace goalsync::core {

enum class Action {
  kRead,          // the plan, its history, the log (Head, Read, Subscribe, PlanService)
  kAudit,         // signed checkpoints
  kAppend,        // events (each then judged by AuthorizeEvent)
  kManageTokens,  // Admin: create, revoke, list tokens
};

// The table:
//            read  audit  append               manage tokens
//   viewer    x
//   editor    x           own goals (below)
//   manager   x           x
//   auditor   x     x
//   admin     x     x     x                    x
bool Allows(goalsync::v1::Role role, Action action);

// "viewer", "editor", ...
std::string RoleName(goalsync::v1::Role role);

// "WORKSPACE=ROLE" or "*=ROLE" (ROLE: viewer, editor, manager, auditor, admin), as
// `goalsyncd token create --grant` and `goalctl admin token create --grant` take it.
absl::StatusOr<std::pair<std::string, goalsync::v1::Role>> ParseGrant(absl::string_view grant);

// Whether `actor`, with `role` in the workspace, may append `event` on top of `state` (the
// plan before it). PERMISSION_DENIED naming the rule otherwise. An editor may:
//   - create a goal they own, or one under a goal they are responsible for;
//   - edit, check in on, plan tasks and RACI of goals they are responsible for: the owner,
//     or R or A on the goal or on one of its tasks;
//   - set a target where none is set yet; changing one takes a change request;
//   - open change requests, on any goal; resolve conflicts on goals they are responsible for.
// Deciding change requests and changing set targets is for managers and admins.
absl::Status AuthorizeEvent(goalsync::v1::Role role, absl::string_view actor,
                            const goalsync::v1::Event& event,
                            const goalsync::v1::PlanState& state);

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_AUTHZ_H_
