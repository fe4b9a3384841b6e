#include "core/plan/undo.h"

#include "core/envelope.h"

namespace goalsync::core {
namespace {

using goalsync::v1::Goal;
using goalsync::v1::Payload;
using goalsync::v1::PlanState;

// The task a payload changes, if it is about one.
std::string TaskIdOf(const Payload& p) {
  switch (p.body_case()) {
    case Payload::kTaskAdded: return p.task_added().task_id();
    case Payload::kTaskFieldSet: return p.task_field_set().task_id();
    case Payload::kTaskStatusSet: return p.task_status_set().task_id();
    case Payload::kTaskDependencyAdded: return p.task_dependency_added().task_id();
    case Payload::kTaskDependencyRemoved: return p.task_dependency_removed().task_id();
    case Payload::kRaciAssigned: return p.raci_assigned().task_id();
    case Payload::kRaciUnassigned: return p.raci_unassigned().task_id();
    case Payload::kConflictResolved: return p.conflict_resolved().task_id();  // keep-losing
    default: return "";
  }
}

// Copies every field of Goal but its lists, tasks and check-in aggregates (what is saved
// piecewise). Written out rather than by reflection: this runs for every event of a batch.
// kernel_test checks that Goal has no field this does not know of.
void CopyGoalWithoutLists(const Goal& g, Goal* out) {
  out->set_id(g.id());
  out->set_level(g.level());
  out->set_parent_id(g.parent_id());
  out->set_statement(g.statement());
  out->set_why(g.why());
  out->set_owner(g.owner());
  if (g.has_details()) *out->mutable_details() = g.details();
  if (g.has_targets()) *out->mutable_targets() = g.targets();
  if (g.has_original_targets()) *out->mutable_original_targets() = g.original_targets();
  out->set_archived(g.archived());
  *out->mutable_period_targets() = g.period_targets();
  *out->mutable_original_period_targets() = g.original_period_targets();
  *out->mutable_raci() = g.raci();
  *out->mutable_blame() = g.blame();
  if (g.has_created()) *out->mutable_created() = g.created();
}

bool AppendsOnly(const Payload& p) {
  return p.has_check_in_recorded() || p.has_people_allocated() || p.has_budget_allocated() ||
         p.has_time_block_reserved();
}

void SaveGoal(const Payload& p, const Goal& g, UndoRecord* c) {
  c->goal_existed = true;
  c->allocations = g.allocations_size();
  c->budgets = g.budgets_size();
  c->time_blocks = g.time_blocks_size();
  if (p.has_check_in_recorded()) {
    c->check_in = true;
    c->period = p.check_in_recorded().period();
    if (auto a = g.actuals().find(c->period); a != g.actuals().end()) c->aggregate = a->second;
    c->check_in_count = g.check_in_count();
    if (g.has_last_check_in()) c->last_check_in = g.last_check_in();
  }
  c->task_id = TaskIdOf(p);
  if (!c->task_id.empty()) {
    if (auto t = g.tasks().find(c->task_id); t != g.tasks().end()) c->task = t->second;
  }
  if (!AppendsOnly(p)) CopyGoalWithoutLists(g, &c->goal.emplace());
}

void RestoreGoal(UndoRecord& c, Goal& g) {
  auto truncate = [](auto* list, int size) {
    while (list->size() > size) list->RemoveLast();
  };
  truncate(g.mutable_allocations(), c.allocations);
  truncate(g.mutable_budgets(), c.budgets);
  truncate(g.mutable_time_blocks(), c.time_blocks);
  if (c.check_in) {
    if (c.aggregate.has_value()) {
      (*g.mutable_actuals())[c.period] = *c.aggregate;
    } else {
      g.mutable_actuals()->erase(c.period);
    }
    g.set_check_in_count(c.check_in_count);
    if (c.last_check_in.has_value()) {
      *g.mutable_last_check_in() = std::move(*c.last_check_in);
    } else {
      g.clear_last_check_in();
    }
  }
  if (!c.task_id.empty()) {
    if (c.task.has_value()) {
      (*g.mutable_tasks())[c.task_id] = std::move(*c.task);
    } else {
      g.mutable_tasks()->erase(c.task_id);
    }
  }
  if (c.goal.has_value()) {
    // Keep what was restored piecewise; put the rest back whole.
    c.goal->mutable_tasks()->swap(*g.mutable_tasks());
    c.goal->mutable_actuals()->swap(*g.mutable_actuals());
    c.goal->set_check_in_count(g.check_in_count());
    if (g.has_last_check_in()) c.goal->mutable_last_check_in()->Swap(g.mutable_last_check_in());
    c.goal->mutable_allocations()->Swap(g.mutable_allocations());
    c.goal->mutable_budgets()->Swap(g.mutable_budgets());
    c.goal->mutable_time_blocks()->Swap(g.mutable_time_blocks());
    g = std::move(*c.goal);
  }
}

}  // namespace

UndoRecord Save(const goalsync::v1::Event& event, const PlanState& state) {
  const Payload& p = event.payload();
  UndoRecord c;
  c.seq = state.seq();
  c.conflicts = state.conflicts_size();
  c.goal_id = std::string(GoalIdOf(p));
  if (auto it = state.goals().find(c.goal_id); it != state.goals().end()) {
    SaveGoal(p, it->second, &c);
  }
  switch (p.body_case()) {
    case Payload::kChangeRequestOpened: c.change_request_id = p.change_request_opened().change_request_id(); break;
    case Payload::kChangeRequestApproved: c.change_request_id = p.change_request_approved().change_request_id(); break;
    case Payload::kChangeRequestRejected: c.change_request_id = p.change_request_rejected().change_request_id(); break;
    case Payload::kReviewRecorded: c.review_id = p.review_recorded().review_id(); break;
    case Payload::kConflictResolved:
      // Keeping a losing decision changes the request (and the goal, saved above).
      c.change_request_id = p.conflict_resolved().change_request_id();
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
    if (auto it = state.change_requests().find(c.change_request_id);
        it != state.change_requests().end()) {
      c.change_request = it->second;
    }
  }
  c.review_existed = !c.review_id.empty() && state.reviews().contains(c.review_id);
  return c;
}

void Restore(UndoRecord c, PlanState* state) {
  state->set_seq(c.seq);
  if (!c.goal_id.empty()) {
    if (!c.goal_existed) {
      state->mutable_goals()->erase(c.goal_id);
    } else {
      RestoreGoal(c, (*state->mutable_goals())[c.goal_id]);
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
  if (c.resolved_conflict >= 0) *state->mutable_conflicts(c.resolved_conflict) = *c.conflict_before;
}

}  // namespace goalsync::core
