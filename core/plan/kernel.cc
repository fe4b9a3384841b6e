#include "core/plan/kernel.h"

#include <cmath>
#include <tuple>

#include "core/deterministic.h"
#include "core/envelope.h"
#include "core/plan/period.h"
#include "core/plan/rules.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/util/field_mask_util.h"

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
  absl::StatusOr<Period> period = ParsePeriod(change.period());
  if (!period.ok()) return period.status();
  if (!std::isfinite(change.target())) return Invalid("period target must be a number");
  const auto& d = goal.details();
  if (!d.start_date().empty()) {
    absl::StatusOr<absl::CivilDay> start = ParseDate(d.start_date());
    if (start.ok() && period->last < *start) {
      return Invalid("period ", change.period(), " ends before goal ", goal.id(),
                     " starts (", d.start_date(), ")");
    }
  }
  if (!d.due_date().empty()) {
    absl::StatusOr<absl::CivilDay> due = ParseDate(d.due_date());
    if (due.ok() && period->first > *due) {
      return Invalid("period ", change.period(), " starts after goal ", goal.id(), " is due (",
                     d.due_date(), ")");
    }
  }
  return absl::OkStatus();
}

}  // namespace rules

namespace {

// The task a payload changes, if it is about one.
std::string TaskIdOf(const goalsync::v1::Payload& p) {
  switch (p.body_case()) {
    case goalsync::v1::Payload::kTaskAdded: return p.task_added().task_id();
    case goalsync::v1::Payload::kTaskFieldSet: return p.task_field_set().task_id();
    case goalsync::v1::Payload::kTaskStatusSet: return p.task_status_set().task_id();
    case goalsync::v1::Payload::kTaskDependencyAdded: return p.task_dependency_added().task_id();
    case goalsync::v1::Payload::kTaskDependencyRemoved: return p.task_dependency_removed().task_id();
    case goalsync::v1::Payload::kRaciAssigned: return p.raci_assigned().task_id();
    case goalsync::v1::Payload::kRaciUnassigned: return p.raci_unassigned().task_id();
    default: return "";
  }
}

// Every field of Goal but check_ins, allocations, budgets, time_blocks and tasks.
const google::protobuf::FieldMask& GoalWithoutLists() {
  static const auto* mask = [] {
    auto* m = new google::protobuf::FieldMask();
    const auto* d = goalsync::v1::Goal::descriptor();
    for (int i = 0; i < d->field_count(); ++i) {
      const int n = d->field(i)->number();
      if (n != goalsync::v1::Goal::kCheckInsFieldNumber &&
          n != goalsync::v1::Goal::kAllocationsFieldNumber &&
          n != goalsync::v1::Goal::kBudgetsFieldNumber &&
          n != goalsync::v1::Goal::kTimeBlocksFieldNumber &&
          n != goalsync::v1::Goal::kTasksFieldNumber) {
        m->add_paths(d->field(i)->name());
      }
    }
    return m;
  }();
  return *mask;
}

}  // namespace

Checkpoint Save(const goalsync::v1::Event& event, const goalsync::v1::PlanState& state) {
  using P = goalsync::v1::Payload;
  const P& p = event.payload();
  Checkpoint c;
  c.seq = state.seq();
  c.conflicts = state.conflicts_size();
  c.goal_id = std::string(GoalIdOf(p));
  c.append_only = p.has_check_in_recorded() || p.has_people_allocated() ||
                  p.has_budget_allocated() || p.has_time_block_reserved();
  if (auto it = state.goals().find(c.goal_id); it != state.goals().end()) {
    const goalsync::v1::Goal& g = it->second;
    c.goal_existed = true;
    c.check_ins = g.check_ins_size();
    c.allocations = g.allocations_size();
    c.budgets = g.budgets_size();
    c.time_blocks = g.time_blocks_size();
    c.task_id = TaskIdOf(p);
    if (!c.task_id.empty()) {
      if (auto t = g.tasks().find(c.task_id); t != g.tasks().end()) c.task = t->second;
    }
    if (!c.append_only) {
      // Everything but the lists (restored by length) and the tasks (restored by task).
      c.goal.emplace();
      google::protobuf::util::FieldMaskUtil::MergeMessageTo(
          g, GoalWithoutLists(), google::protobuf::util::FieldMaskUtil::MergeOptions(),
          &*c.goal);
    }
  }
  switch (p.body_case()) {
    case P::kChangeRequestOpened: c.change_request_id = p.change_request_opened().change_request_id(); break;
    case P::kChangeRequestApproved: c.change_request_id = p.change_request_approved().change_request_id(); break;
    case P::kChangeRequestRejected: c.change_request_id = p.change_request_rejected().change_request_id(); break;
    case P::kReviewRecorded: c.review_id = p.review_recorded().review_id(); break;
    case P::kConflictResolved:
      for (int i = 0; i < state.conflicts_size(); ++i) {
        if (state.conflicts(i).id() == p.conflict_resolved().conflict_id()) {
          c.resolved_conflict = i;
          c.conflict_before = state.conflicts(i);
        }
      }
      break;
    default: break;
  }
  if (!c.change_request_id.empty()) {
    if (auto it = state.change_requests().find(c.change_request_id); it != state.change_requests().end()) {
      c.change_request = it->second;
    }
  }
  c.review_existed = !c.review_id.empty() && state.reviews().contains(c.review_id);
  return c;
}

void Restore(Checkpoint c, goalsync::v1::PlanState* state) {
  state->set_seq(c.seq);
  if (!c.goal_id.empty()) {
    if (!c.goal_existed) {
      state->mutable_goals()->erase(c.goal_id);
    } else {
      goalsync::v1::Goal& g = (*state->mutable_goals())[c.goal_id];
      auto truncate = [](auto* list, int size) {
        while (list->size() > size) list->RemoveLast();
      };
      truncate(g.mutable_check_ins(), c.check_ins);
      truncate(g.mutable_allocations(), c.allocations);
      truncate(g.mutable_budgets(), c.budgets);
      truncate(g.mutable_time_blocks(), c.time_blocks);
      if (!c.task_id.empty()) {
        if (c.task.has_value()) {
          (*g.mutable_tasks())[c.task_id] = std::move(*c.task);
        } else {
          g.mutable_tasks()->erase(c.task_id);
        }
      }
      if (c.goal.has_value()) {
        c.goal->mutable_tasks()->swap(*g.mutable_tasks());
        c.goal->mutable_check_ins()->Swap(g.mutable_check_ins());
        c.goal->mutable_allocations()->Swap(g.mutable_allocations());
        c.goal->mutable_budgets()->Swap(g.mutable_budgets());
        c.goal->mutable_time_blocks()->Swap(g.mutable_time_blocks());
        g = std::move(*c.goal);
      }
    }
  }
  if (!c.change_request_id.empty()) {
    if (c.change_request.has_value()) {
      (*state->mutable_change_requests())[c.change_request_id] = std::move(*c.change_request);
    } else {
      state->mutable_change_requests()->erase(c.change_request_id);
    }
  }
  if (!c.review_id.empty() && !c.review_existed) state->mutable_reviews()->erase(c.review_id);
  while (state->conflicts_size() > c.conflicts) state->mutable_conflicts()->RemoveLast();
  if (c.resolved_conflict >= 0) *state->mutable_conflicts(c.resolved_conflict) = c.conflict_before;
}

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
  rules::Context ctx{event, *state, {}};
  ctx.stamp.set_seq(event.seq());
  ctx.stamp.set_actor(event.actor());
  *ctx.stamp.mutable_hlc() = event.hlc();
  *ctx.stamp.mutable_server_time() = event.server_time();
  ctx.stamp.set_replica_id(event.replica_id());

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
