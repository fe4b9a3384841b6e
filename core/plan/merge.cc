#include "core/plan/merge.h"

#include "absl/strings/match.h"
#include "goalsync/v1/event.pb.h"

namespace goalsync::core::rules {

using goalsync::v1::Change;
using goalsync::v1::Conflict;

Conflict& AddConflictAt(Context& ctx, goalsync::v1::ConflictKind kind, const FieldRef& ref) {
  Conflict& c = AddConflict(ctx, kind, ref.goal_id, ref.field);
  // One event may lose twice (an element and the accountable role): ids stay unique.
  const std::string base = c.id();
  int earlier = 0;
  for (int i = ctx.state.conflicts_size() - 2; i >= 0; --i) {
    const std::string& id = ctx.state.conflicts(i).id();
    if (id != base && !absl::StartsWith(id, base + "-")) break;
    ++earlier;
  }
  if (earlier > 0) c.set_id(absl::StrCat(base, "-", earlier + 1));
  c.set_task_id(ref.task_id);
  c.set_change_request_id(ref.change_request_id);
  return c;
}

bool MergeField(Context& ctx, const Change* last, const FieldRef& ref,
                const std::string& incoming, const std::string& current) {
  if (last == nullptr || !ConcurrentWith(ctx.event, *last)) return true;
  const bool wins = Wins(ctx.event, *last);
  if (incoming == current) return wins;
  Conflict& c = AddConflictAt(ctx, goalsync::v1::CONFLICT_KIND_SAME_FIELD, ref);
  c.set_losing_value(wins ? current : incoming);
  c.set_winning_value(wins ? incoming : current);
  *c.mutable_loser() = wins ? *last : ctx.stamp;
  *c.mutable_winner() = wins ? ctx.stamp : *last;
  return wins;
}

bool MergeBlamed(Context& ctx, const google::protobuf::Map<std::string, Change>& blame,
                 const FieldRef& ref, const std::string& incoming, const std::string& current) {
  auto it = blame.find(ref.field);
  return MergeField(ctx, it == blame.end() ? nullptr : &it->second, ref, incoming, current);
}

absl::StatusOr<goalsync::v1::Goal*> GoalForEditAt(Context& ctx, const FieldRef& ref,
                                                   const std::string& value, bool* parked) {
  *parked = false;
  absl::StatusOr<goalsync::v1::Goal*> goal = FindGoal(ctx, ref.goal_id);
  if (!goal.ok() || !(*goal)->archived()) return goal;
  auto it = (*goal)->blame().find("archived");
  if (it == (*goal)->blame().end() || !ConcurrentWith(ctx.event, it->second)) {
    return Precondition("goal ", ref.goal_id, " is archived: restore it first");
  }
  Conflict& c = AddConflictAt(ctx, goalsync::v1::CONFLICT_KIND_EDIT_ARCHIVED, ref);
  c.set_losing_value(value);
  c.set_winning_value("archived");
  *c.mutable_loser() = ctx.stamp;
  *c.mutable_winner() = it->second;
  *parked = true;
  return goal;
}

std::string RaciKey(goalsync::v1::RaciRole role, const std::string& person) {
  return absl::StrCat("raci/", goalsync::v1::RaciRole_Name(role), "/", person);
}

std::string DependencyKey(const std::string& goal_id, const std::string& task_id) {
  return absl::StrCat("depends_on/", goal_id, "/", task_id);
}

}  // namespace goalsync::core::rules
