#include "core/authz.h"

#include "absl/strings/str_cat.h"
#include "core/enum_names.h"
#include "core/envelope.h"

namespace goalsync::core {
namespace {

using namespace goalsync::v1;  // NOLINT: the generated messages

bool ResponsibleFor(const Goal& goal, absl::string_view actor) {
  if (goal.owner() == actor) return true;
  auto responsible = [&](const RaciEntry& e) {
    return e.person() == actor &&
           (e.role() == RACI_ROLE_RESPONSIBLE || e.role() == RACI_ROLE_ACCOUNTABLE);
  };
  for (const RaciEntry& e : goal.raci()) {
    if (responsible(e)) return true;
  }
  for (const auto& [id, task] : goal.tasks()) {
    for (const RaciEntry& e : task.raci()) {
      if (responsible(e)) return true;
    }
  }
  return false;
}

absl::Status Denied(absl::string_view actor, Role role, absl::string_view what) {
  return absl::PermissionDeniedError(
      absl::StrCat(actor, " (", RoleName(role), ") may not ", what));
}

const Goal* Find(const PlanState& state, absl::string_view id) {
  auto it = state.goals().find(std::string(id));
  return it == state.goals().end() ? nullptr : &it->second;
}

bool AnyTarget(const Targets& t) { return t.has_floor() || t.has_base() || t.has_stretch(); }

}  // namespace

bool Allows(Role role, Action action) {
  switch (action) {
    case Action::kRead:
      return role != ROLE_UNSPECIFIED;
    case Action::kAudit:
      return role == ROLE_AUDITOR || role == ROLE_ADMIN;
    case Action::kAppend:
      return role == ROLE_EDITOR || role == ROLE_MANAGER || role == ROLE_ADMIN;
    case Action::kManageTokens:
      return role == ROLE_ADMIN;
  }
  return false;
}

std::string RoleName(Role role) {
  return role == ROLE_UNSPECIFIED ? "no role" : EnumWord(Role_descriptor(), role);
}

absl::StatusOr<std::pair<std::string, Role>> ParseGrant(absl::string_view grant) {
  const size_t eq = grant.find('=');
  if (eq == absl::string_view::npos || eq == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("grant \"", grant, "\": write WORKSPACE=ROLE or *=ROLE"));
  }
  const std::string workspace(grant.substr(0, eq));
  if (workspace != "*") {
    if (absl::Status s = ValidateWorkspaceName(workspace); !s.ok()) return s;
  }
  absl::StatusOr<int> role = ParseEnum(Role_descriptor(), grant.substr(eq + 1));
  if (!role.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("grant \"", grant, "\": role ", role.status().message()));
  }
  return std::make_pair(workspace, static_cast<Role>(*role));
}

absl::Status AuthorizeEvent(Role role, absl::string_view actor, const Event& event,
                            const PlanState& state) {
  if (!Allows(role, Action::kAppend)) return Denied(actor, role, "write to the plan");
  if (role == ROLE_MANAGER || role == ROLE_ADMIN) return absl::OkStatus();
  // An editor.
  const Payload& p = event.payload();
  const absl::string_view goal_id = GoalIdOf(p);
  const Goal* goal = Find(state, goal_id);
  switch (p.body_case()) {
    case Payload::kGoalCreated: {
      const GoalCreated& c = p.goal_created();
      const Goal* parent = Find(state, c.parent_id());
      if (c.owner() == actor || (parent != nullptr && ResponsibleFor(*parent, actor))) {
        return absl::OkStatus();
      }
      return Denied(actor, role,
                    absl::StrCat("create goal ", c.goal_id(),
                                 ": editors create goals they own, or under goals they are "
                                 "responsible for"));
    }
    case Payload::kChangeRequestOpened:
      return absl::OkStatus();  // anyone who edits may propose
    case Payload::kChangeRequestApproved:
    case Payload::kChangeRequestRejected:
      return Denied(actor, role, "decide change requests: a manager does");
    case Payload::kTargetsSet:
      if (goal != nullptr && AnyTarget(goal->targets())) {
        return Denied(actor, role,
                      absl::StrCat("change the targets of ", goal_id,
                                   ": open a change request (goalctl target set --reason)"));
      }
      break;
    case Payload::kPeriodTargetSet:
      if (goal != nullptr && goal->period_targets().contains(p.period_target_set().target().period())) {
        return Denied(actor, role,
                      absl::StrCat("change the ", p.period_target_set().target().period(),
                                   " target of ", goal_id,
                                   ": open a change request (goalctl target set --reason)"));
      }
      break;
    case Payload::kPeriodTargetRemoved:
      return Denied(actor, role, absl::StrCat("remove a target of ", goal_id, ": a manager does"));
    default:
      break;
  }
  if (goal == nullptr) return absl::OkStatus();  // the kernel says NOT_FOUND
  if (!ResponsibleFor(*goal, actor)) {
    return Denied(actor, role,
                  absl::StrCat("edit goal ", goal_id,
                               ": editors edit goals they own or are responsible (R) or "
                               "accountable (A) for"));
  }
  return absl::OkStatus();
}

}  // namespace goalsync::core
