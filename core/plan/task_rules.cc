// WBS tasks, their dependencies, and RACI on goals and tasks.
#include <cmath>
#include <set>

#include "absl/strings/numbers.h"
#include "core/envelope.h"
#include "core/plan/goal_fields.h"
#include "core/plan/period.h"
#include "core/plan/rules.h"

namespace goalsync::core::rules {
namespace {

using namespace goalsync::v1;  // NOLINT: the generated messages

absl::StatusOr<Task*> FindTask(Goal& goal, const std::string& task_id) {
  auto it = goal.mutable_tasks()->find(task_id);
  if (it == goal.mutable_tasks()->end()) {
    return NotFound("goal ", goal.id(), " has no task ", task_id);
  }
  return &it->second;
}

absl::Status CheckTaskDates(const std::string& start, const std::string& due) {
  absl::StatusOr<absl::CivilDay> s, d;
  if (!start.empty() && !(s = ParseDate(start)).ok()) return Invalid("start_date: ", s.status().message());
  if (!due.empty() && !(d = ParseDate(due)).ok()) return Invalid("due_date: ", d.status().message());
  if (!start.empty() && !due.empty() && *d < *s) {
    return Invalid("due_date ", due, " is before start_date ", start);
  }
  return absl::OkStatus();
}

absl::Status Added(Context& ctx, const TaskAdded& e) {
  absl::StatusOr<Goal*> goal = FindLiveGoal(ctx, e.goal_id());
  if (!goal.ok()) return goal.status();
  if (absl::Status s = ValidateId("task_id", e.task_id()); !s.ok()) return s;
  if ((*goal)->tasks().contains(e.task_id())) {
    return Precondition("goal ", e.goal_id(), " already has task ", e.task_id());
  }
  if (!e.parent_task_id().empty() && !(*goal)->tasks().contains(e.parent_task_id())) {
    return NotFound("parent task ", e.parent_task_id(), " is not a task of goal ", e.goal_id());
  }
  if (e.title().empty()) return Invalid("task ", e.task_id(), ": title is required");
  if (absl::Status s = CheckTaskDates(e.start_date(), e.due_date()); !s.ok()) {
    return Invalid("task ", e.task_id(), ": ", s.message());
  }
  if (!(e.estimate_days() >= 0)) return Invalid("task ", e.task_id(), ": estimate_days < 0");
  Task& t = (*(*goal)->mutable_tasks())[e.task_id()];
  t.set_id(e.task_id());
  t.set_parent_task_id(e.parent_task_id());
  t.set_title(e.title());
  t.set_deliverable(e.deliverable());
  t.set_acceptance(e.acceptance());
  t.set_start_date(e.start_date());
  t.set_due_date(e.due_date());
  t.set_estimate_days(e.estimate_days());
  t.set_status(TASK_STATUS_TODO);
  *t.mutable_created() = ctx.stamp;
  return absl::OkStatus();
}

absl::Status FieldSet(Context& ctx, const TaskFieldSet& e) {
  absl::StatusOr<Goal*> goal = FindLiveGoal(ctx, e.goal_id());
  if (!goal.ok()) return goal.status();
  absl::StatusOr<Task*> task = FindTask(**goal, e.task_id());
  if (!task.ok()) return task.status();
  Task& t = **task;
  const std::string& f = e.field();
  const std::string& v = e.value();
  if (f == "title" || f == "deliverable" || f == "acceptance") {
    if (f == "title" && v.empty()) return Invalid("task ", t.id(), ": title is required");
    if (f == "title") t.set_title(v);
    if (f == "deliverable") t.set_deliverable(v);
    if (f == "acceptance") t.set_acceptance(v);
  } else if (f == "start_date" || f == "due_date") {
    const std::string start = f == "start_date" ? v : t.start_date();
    const std::string due = f == "due_date" ? v : t.due_date();
    if (absl::Status s = CheckTaskDates(start, due); !s.ok()) {
      return Invalid("task ", t.id(), ": ", s.message());
    }
    t.set_start_date(start);
    t.set_due_date(due);
  } else if (f == "estimate_days") {
    double d = 0;
    if (!absl::SimpleAtod(v, &d) || !(d >= 0) || !std::isfinite(d)) {
      return Invalid("task ", t.id(), ": estimate_days \"", v, "\" is not a number >= 0");
    }
    t.set_estimate_days(d);
  } else {
    return Invalid("task has no settable field \"", f,
                   "\"; fields: title, deliverable, acceptance, start_date, due_date, "
                   "estimate_days");
  }
  return absl::OkStatus();
}

absl::Status StatusSet(Context& ctx, const TaskStatusSet& e) {
  absl::StatusOr<Goal*> goal = FindLiveGoal(ctx, e.goal_id());
  if (!goal.ok()) return goal.status();
  absl::StatusOr<Task*> task = FindTask(**goal, e.task_id());
  if (!task.ok()) return task.status();
  if (e.status() == TASK_STATUS_UNSPECIFIED) {
    return Invalid("task ", e.task_id(), ": status is required (todo, doing, done, blocked)");
  }
  Task& t = **task;
  t.set_status(e.status());
  *t.mutable_status_changed() = ctx.stamp;
  if (e.status() == TASK_STATUS_DONE) {
    *t.mutable_done() = ctx.stamp;
  } else {
    t.clear_done();
  }
  return absl::OkStatus();
}

const Task* LookupTask(const PlanState& state, const TaskRef& ref) {
  auto g = state.goals().find(ref.goal_id());
  if (g == state.goals().end()) return nullptr;
  auto t = g->second.tasks().find(ref.task_id());
  return t == g->second.tasks().end() ? nullptr : &t->second;
}

// Whether `from` already (transitively) depends on `to`. Bounded by visiting each task once.
bool DependsOn(const PlanState& state, const TaskRef& from, const TaskRef& to) {
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<TaskRef> stack = {from};
  while (!stack.empty()) {
    TaskRef ref = stack.back();
    stack.pop_back();
    if (ref.goal_id() == to.goal_id() && ref.task_id() == to.task_id()) return true;
    if (!seen.insert({ref.goal_id(), ref.task_id()}).second) continue;
    if (const Task* t = LookupTask(state, ref)) {
      for (const TaskRef& d : t->depends_on()) stack.push_back(d);
    }
  }
  return false;
}

absl::Status DependencyAdded(Context& ctx, const TaskDependencyAdded& e) {
  absl::StatusOr<Goal*> goal = FindLiveGoal(ctx, e.goal_id());
  if (!goal.ok()) return goal.status();
  absl::StatusOr<Task*> task = FindTask(**goal, e.task_id());
  if (!task.ok()) return task.status();
  TaskRef target;
  target.set_goal_id(e.depends_on_goal_id().empty() ? e.goal_id() : e.depends_on_goal_id());
  target.set_task_id(e.depends_on_task_id());
  if (LookupTask(ctx.state, target) == nullptr) {
    return NotFound("task ", target.goal_id(), "/", target.task_id(), " does not exist");
  }
  TaskRef self;
  self.set_goal_id(e.goal_id());
  self.set_task_id(e.task_id());
  if (DependsOn(ctx.state, target, self)) {
    return Invalid("task ", e.goal_id(), "/", e.task_id(), " cannot depend on ",
                   target.goal_id(), "/", target.task_id(), ": that would make a cycle");
  }
  for (const TaskRef& d : (*task)->depends_on()) {
    if (d.goal_id() == target.goal_id() && d.task_id() == target.task_id()) {
      return absl::OkStatus();  // already there: sets are idempotent
    }
  }
  *(*task)->add_depends_on() = target;
  return absl::OkStatus();
}

absl::Status DependencyRemoved(Context& ctx, const TaskDependencyRemoved& e) {
  absl::StatusOr<Goal*> goal = FindLiveGoal(ctx, e.goal_id());
  if (!goal.ok()) return goal.status();
  absl::StatusOr<Task*> task = FindTask(**goal, e.task_id());
  if (!task.ok()) return task.status();
  const std::string dep_goal = e.depends_on_goal_id().empty() ? e.goal_id() : e.depends_on_goal_id();
  auto* deps = (*task)->mutable_depends_on();
  for (int i = 0; i < deps->size(); ++i) {
    if (deps->Get(i).goal_id() == dep_goal && deps->Get(i).task_id() == e.depends_on_task_id()) {
      deps->DeleteSubrange(i, 1);
      break;
    }
  }
  return absl::OkStatus();  // removing what is not there is a no-op (add-wins sets)
}

// The RACI list of a goal (task_id empty) or of one of its tasks.
absl::StatusOr<google::protobuf::RepeatedPtrField<RaciEntry>*> RaciOf(Context& ctx,
                                                                     const std::string& goal_id,
                                                                     const std::string& task_id) {
  absl::StatusOr<Goal*> goal = FindLiveGoal(ctx, goal_id);
  if (!goal.ok()) return goal.status();
  if (task_id.empty()) return (*goal)->mutable_raci();
  absl::StatusOr<Task*> task = FindTask(**goal, task_id);
  if (!task.ok()) return task.status();
  return (*task)->mutable_raci();
}

absl::Status Assigned(Context& ctx, const RaciAssigned& e) {
  if (e.person().empty()) return Invalid("raci: person is required");
  if (e.role() == RACI_ROLE_UNSPECIFIED) {
    return Invalid("raci: role is required (responsible, accountable, consulted, informed)");
  }
  auto raci = RaciOf(ctx, e.goal_id(), e.task_id());
  if (!raci.ok()) return raci.status();
  const std::string where = e.task_id().empty() ? "goal " + e.goal_id()
                                                : "task " + e.goal_id() + "/" + e.task_id();
  for (const RaciEntry& r : **raci) {
    if (r.person() == e.person() && r.role() == e.role()) return absl::OkStatus();
    if (e.role() == RACI_ROLE_ACCOUNTABLE && r.role() == RACI_ROLE_ACCOUNTABLE) {
      return Invalid(where, " already has ", r.person(),
                     " accountable: exactly one A; unassign them first");
    }
  }
  RaciEntry* entry = (*raci)->Add();
  entry->set_person(e.person());
  entry->set_role(e.role());
  return absl::OkStatus();
}

absl::Status Unassigned(Context& ctx, const RaciUnassigned& e) {
  auto raci = RaciOf(ctx, e.goal_id(), e.task_id());
  if (!raci.ok()) return raci.status();
  for (int i = 0; i < (*raci)->size(); ++i) {
    if ((*raci)->Get(i).person() == e.person() && (*raci)->Get(i).role() == e.role()) {
      (*raci)->DeleteSubrange(i, 1);
      break;
    }
  }
  return absl::OkStatus();  // a remove removes only what is there
}

}  // namespace

absl::Status ApplyTaskEvent(Context& ctx) {
  const Payload& p = ctx.event.payload();
  switch (p.body_case()) {
    case Payload::kTaskAdded: return Added(ctx, p.task_added());
    case Payload::kTaskFieldSet: return FieldSet(ctx, p.task_field_set());
    case Payload::kTaskStatusSet: return StatusSet(ctx, p.task_status_set());
    case Payload::kTaskDependencyAdded: return DependencyAdded(ctx, p.task_dependency_added());
    case Payload::kTaskDependencyRemoved: return DependencyRemoved(ctx, p.task_dependency_removed());
    case Payload::kRaciAssigned: return Assigned(ctx, p.raci_assigned());
    case Payload::kRaciUnassigned: return Unassigned(ctx, p.raci_unassigned());
    default: return absl::InternalError("not a task event");
  }
}

}  // namespace goalsync::core::rules
