#include "core/plan/kernel.h"

#include <cmath>
#include <tuple>

#include "core/deterministic.h"
#include "core/envelope.h"
#include "core/plan/period.h"
#include "core/plan/rules.h"

namespace goalsync::core {
namespace rules {

using goalsync::v1::Change;
using goalsync::v1::Event;
using goalsync::v1::Goal;

absl::StatusOr<Goal*> FindGoal(Context& ctx, const std::string& id) {
  auto it = ctx.state.mutable_goals()->find(id);
  if (it == ctx.state.mutable_goals()->end()) return NotFound("goal ", id, " does not exist");
  return &it->second;
}

absl::StatusOr<Goal*> FindLiveGoal(Context& ctx, const std::string& id) {
  absl::StatusOr<Goal*> goal = FindGoal(ctx, id);
  if (goal.ok() && (*goal)->archived()) {
    return Precondition("goal ", id, " is archived: restore it first");
  }
  return goal;
}

bool ConcurrentWith(const Event& event, const Change& change) {
  if (change.seq() == 0 || change.seq() <= event.base_seq()) return false;
  if (event.replica_id().empty() && change.replica_id().empty()) {
    return event.actor() != change.actor();
  }
  return event.replica_id() != change.replica_id();
}

bool Wins(const Event& event, const Change& change) {
  return std::make_tuple(event.hlc().physical_micros(), event.hlc().logical(),
                         event.replica_id()) >
         std::make_tuple(change.hlc().physical_micros(), change.hlc().logical(),
                         change.replica_id());
}

goalsync::v1::Conflict& AddConflict(Context& ctx, goalsync::v1::ConflictKind kind,
                                    const std::string& goal_id, const std::string& field) {
  goalsync::v1::Conflict& c = *ctx.state.add_conflicts();
  c.set_id(absl::StrCat("c", ctx.event.seq()));
  c.set_kind(kind);
  c.set_goal_id(goal_id);
  c.set_field(field);
  return c;
}

void MergeTargets(const goalsync::v1::Targets& update, goalsync::v1::Targets* targets) {
  if (update.has_floor()) targets->set_floor(update.floor());
  if (update.has_base()) targets->set_base(update.base());
  if (update.has_stretch()) targets->set_stretch(update.stretch());
}

std::string FormatTargets(const goalsync::v1::Targets& t) {
  std::string out;
  if (t.has_floor()) absl::StrAppend(&out, "floor=", t.floor());
  if (t.has_base()) absl::StrAppend(&out, out.empty() ? "" : " ", "base=", t.base());
  if (t.has_stretch()) absl::StrAppend(&out, out.empty() ? "" : " ", "stretch=", t.stretch());
  return out.empty() ? "-" : out;
}

absl::Status CheckTargets(const Goal& goal, const goalsync::v1::Targets& t) {
  for (double v : {t.floor(), t.base(), t.stretch()}) {
    if (!std::isfinite(v)) return Invalid("targets of goal ", goal.id(), " must be numbers");
  }
  const auto& d = goal.details();
  if (d.certainty() == goalsync::v1::CERTAINTY_HIGH && !t.has_floor()) {
    return Invalid("goal ", goal.id(), " has high certainty: it needs a floor target");
  }
  if (d.certainty() == goalsync::v1::CERTAINTY_LOW && !(t.has_base() && t.has_stretch())) {
    return Invalid("goal ", goal.id(), " has low certainty: it needs base and stretch targets");
  }
  // Ordered from the must-achieve line to the sprint, in the metric's better direction.
  const bool decrease = d.direction() == goalsync::v1::DIRECTION_DECREASE;
  auto ordered = [decrease](double lower, double higher) {
    return decrease ? lower >= higher : lower <= higher;
  };
  if (t.has_floor() && t.has_base() && !ordered(t.floor(), t.base())) {
    return Invalid("goal ", goal.id(), ": floor ", t.floor(), " is beyond base ", t.base(),
                   decrease ? " (the metric should decrease)" : "");
  }
  if (t.has_base() && t.has_stretch() && !ordered(t.base(), t.stretch())) {
    return Invalid("goal ", goal.id(), ": base ", t.base(), " is beyond stretch ", t.stretch(),
                   decrease ? " (the metric should decrease)" : "");
  }
  if (t.has_floor() && t.has_stretch() && !ordered(t.floor(), t.stretch())) {
    return Invalid("goal ", goal.id(), ": floor ", t.floor(), " is beyond stretch ",
                   t.stretch());
  }
  return absl::OkStatus();
}

absl::Status CheckPeriodTarget(const Goal& goal, const goalsync::v1::PeriodTargetChange& change) {
  if (!std::isfinite(change.target())) return Invalid("period target must be a number");
  return CheckPeriodInGoal(goal, change.period());
}

absl::Status CheckPeriodInGoal(const Goal& goal, absl::string_view period_text) {
  absl::StatusOr<Period> period = ParsePeriod(period_text);
  if (!period.ok()) return period.status();
  const auto& d = goal.details();
  if (!d.start_date().empty()) {
    absl::StatusOr<absl::CivilDay> start = ParseDate(d.start_date());
    if (start.ok() && period->last < *start) {
      return Invalid("period ", period_text, " ends before goal ", goal.id(),
                     " starts (", d.start_date(), ")");
    }
  }
  if (!d.due_date().empty()) {
    absl::StatusOr<absl::CivilDay> due = ParseDate(d.due_date());
    if (due.ok() && period->first > *due) {
      return Invalid("period ", period_text, " starts after goal ", goal.id(), " is due (",
                     d.due_date(), ")");
    }
  }
  return absl::OkStatus();
}

}  // namespace rules

std::string SerializeState(const goalsync::v1::PlanState& state) {
  return SerializeDeterministic(state);
}

absl::Status Apply(const goalsync::v1::Event& event, goalsync::v1::PlanState* state) {
  using P = goalsync::v1::Payload;
  if (event.seq() != state->seq() + 1) {
    return absl::InvalidArgumentError(absl::StrCat("event seq ", event.seq(),
                                                   " does not follow the state's seq ",
                                                   state->seq()));
  }
  // The stamp is rebuilt for every event in storage kept per thread: assigning into the same
  // message reuses its strings and sub-messages instead of allocating them each time.
  static thread_local goalsync::v1::Change stamp;
  rules::Context ctx{event, *state, stamp};
  ctx.stamp.set_seq(event.seq());
  ctx.stamp.set_actor(event.actor());
  *ctx.stamp.mutable_hlc() = event.hlc();
  *ctx.stamp.mutable_server_time() = event.server_time();
  ctx.stamp.set_replica_id(event.replica_id());
  ctx.stamp.clear_change_request_id();

  absl::Status s;
  switch (event.payload().body_case()) {
    case P::kGoalCreated:
    case P::kGoalFieldSet:
    case P::kGoalArchived:
    case P::kGoalRestored:
    case P::kGoalMoved:
    case P::kTargetsSet:
    case P::kPeriodTargetSet:
    case P::kPeriodTargetRemoved:
      s = rules::ApplyGoalEvent(ctx);
      break;
    case P::kTaskAdded:
    case P::kTaskFieldSet:
    case P::kTaskStatusSet:
    case P::kTaskDependencyAdded:
    case P::kTaskDependencyRemoved:
    case P::kRaciAssigned:
    case P::kRaciUnassigned:
      s = rules::ApplyTaskEvent(ctx);
      break;
    case P::kPeopleAllocated:
    case P::kBudgetAllocated:
    case P::kTimeBlockReserved:
      s = rules::ApplyResourceEvent(ctx);
      break;
    case P::kCheckInRecorded:
    case P::kReviewRecorded:
      s = rules::ApplyExecutionEvent(ctx);
      break;
    case P::kChangeRequestOpened:
    case P::kChangeRequestApproved:
    case P::kChangeRequestRejected:
    case P::kConflictResolved:
      s = rules::ApplyChangeRequestEvent(ctx);
      break;
    case P::BODY_NOT_SET:
      s = absl::InvalidArgumentError("payload is empty");
      break;
  }
  if (s.ok()) state->set_seq(event.seq());
  return s;
}

}  // namespace goalsync::core
