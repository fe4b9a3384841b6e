// WBS tasks, their dependencies, and RACI on goals and tasks.
#include <cmath>
#include <set>

#include "absl/strings/numbers.h"
#include "core/envelope.h"
#include "core/enum_names.h"
#include "core/plan/goal_fields.h"
#include "core/plan/merge.h"
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

// A task's field set by an event, under the merge rule: applied, or recorded as a conflict.
absl::Status MergeTaskField(Context& ctx, const std::string& goal_id, const std::string& task_id,
                            const std::string& field, const std::string& value) {
  const FieldRef ref{goal_id, task_id, "", field};
  absl::StatusOr<Goal*> goal = FindGoal(ctx, goal_id);
  if (!goal.ok()) return goal.status();
  absl::StatusOr<Task*> task = FindTask(**goal, task_id);
  if (!task.ok()) return task.status();
  Task probe = **task;  // validate first: a refusal changes nothing
  if (absl::Status s = SetTaskField(ctx, **goal, probe, field, value); !s.ok()) return s;
  bool parked = false;
  if (absl::StatusOr<Goal*> live = GoalForEditAt(ctx, ref, value, &parked); !live.ok() || parked) {
    return live.status();
  }
  if (!MergeBlamed(ctx, (*task)->blame(), ref, value, GetTaskField(**task, field))) {
    return absl::OkStatus();
  }
  **task = std::move(probe);
  (*(*task)->mutable_blame())[field] = ctx.stamp;
  return absl::OkStatus();
}

absl::Status FieldSet(Context& ctx, const TaskFieldSet& e) {
  if (e.field() == "status") {
    return Invalid("task ", e.task_id(), ": set status with TaskStatusSet");
  }
  return MergeTaskField(ctx, e.goal_id(), e.task_id(), e.field(), e.value());
}

absl::Status StatusSet(Context& ctx, const TaskStatusSet& e) {
  if (e.status() == TASK_STATUS_UNSPECIFIED) {
    return Invalid("task ", e.task_id(), ": status is required (todo, doing, done, blocked)");
  }
  const auto* value = TaskStatus_descriptor()->FindValueByNumber(e.status());
  if (value == nullptr) return Invalid("task ", e.task_id(), ": status ", e.status(), " is unknown");
  return MergeTaskField(ctx, e.goal_id(), e.task_id(), "status", value->name());
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

int FindDependency(const Task& task, const TaskRef& target) {
  for (int i = 0; i < task.depends_on_size(); ++i) {
    if (task.depends_on(i).goal_id() == target.goal_id() &&
        task.depends_on(i).task_id() == target.task_id()) {
      return i;
    }
  }
  return -1;
}

// Sets are sets of fields: each element is present or absent under the merge rule, so a
// concurrent add and remove of one element resolve the same way in every order.
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
  const int at = FindDependency(**task, target);
  if (at < 0 && DependsOn(ctx.state, target, self)) {
    return Invalid("task ", e.goal_id(), "/", e.task_id(), " cannot depend on ",
                   target.goal_id(), "/", target.task_id(), ": that would make a cycle");
  }
  const FieldRef ref{e.goal_id(), e.task_id(), "", DependencyKey(target.goal_id(), target.task_id())};
  if (!MergeBlamed(ctx, (*task)->blame(), ref, kPresent, at >= 0 ? kPresent : kAbsent)) {
    return absl::OkStatus();
  }
  if (at < 0) *(*task)->add_depends_on() = target;
  (*(*task)->mutable_blame())[ref.field] = ctx.stamp;
  return absl::OkStatus();
}

absl::Status DependencyRemoved(Context& ctx, const TaskDependencyRemoved& e) {
  absl::StatusOr<Goal*> goal = FindLiveGoal(ctx, e.goal_id());
  if (!goal.ok()) return goal.status();
  absl::StatusOr<Task*> task = FindTask(**goal, e.task_id());
  if (!task.ok()) return task.status();
  TaskRef target;
  target.set_goal_id(e.depends_on_goal_id().empty() ? e.goal_id() : e.depends_on_goal_id());
  target.set_task_id(e.depends_on_task_id());
  const int at = FindDependency(**task, target);
  const FieldRef ref{e.goal_id(), e.task_id(), "", DependencyKey(target.goal_id(), target.task_id())};
  if (!MergeBlamed(ctx, (*task)->blame(), ref, kAbsent, at >= 0 ? kPresent : kAbsent)) {
    return absl::OkStatus();
  }
  if (at >= 0) (*task)->mutable_depends_on()->DeleteSubrange(at, 1);
  // Stamped even when nothing was there: a later-arriving concurrent add must meet this
  // remove, or the order of arrival would decide.
  (*(*task)->mutable_blame())[ref.field] = ctx.stamp;
  return absl::OkStatus();
}

// The RACI list and blame of a goal (task_id empty) or of one of its tasks.
struct RaciHome {
  google::protobuf::RepeatedPtrField<RaciEntry>* list;
  google::protobuf::Map<std::string, Change>* blame;
};

absl::StatusOr<RaciHome> RaciOf(Context& ctx, const std::string& goal_id,
                                const std::string& task_id) {
  absl::StatusOr<Goal*> goal = FindLiveGoal(ctx, goal_id);
  if (!goal.ok()) return goal.status();
  if (task_id.empty()) return RaciHome{(*goal)->mutable_raci(), (*goal)->mutable_blame()};
  absl::StatusOr<Task*> task = FindTask(**goal, task_id);
  if (!task.ok()) return task.status();
  return RaciHome{(*task)->mutable_raci(), (*task)->mutable_blame()};
}

int FindRaci(const google::protobuf::RepeatedPtrField<RaciEntry>& list, const std::string& person,
             RaciRole role) {
  for (int i = 0; i < list.size(); ++i) {
    if (list.Get(i).person() == person && list.Get(i).role() == role) return i;
  }
  return -1;
}

// OK unless a second ACCOUNTABLE would be one the writer saw the first of.
absl::Status AccountableCheck(Context& ctx, const RaciAssigned& e, const RaciHome& home,
                              int other) {
  if (other < 0) return absl::OkStatus();
  const std::string& current = home.list->Get(other).person();
  auto it = home.blame->find(RaciKey(RACI_ROLE_ACCOUNTABLE, current));
  if (it != home.blame->end() && ConcurrentWith(ctx.event, it->second)) return absl::OkStatus();
  return Invalid(e.task_id().empty() ? "goal " + e.goal_id()
                                     : "task " + e.goal_id() + "/" + e.task_id(),
                 " already has ", current, " accountable: exactly one A; unassign them first");
}

// A second ACCOUNTABLE: refused if the writer saw the first (AccountableCheck); if not (concurrent offline
// assignments), "who is accountable" merges like a field: the greater edit's person stays,
// the other is a conflict loser. Returns true if the event is to be applied.
bool MergeAccountable(Context& ctx, const RaciAssigned& e, RaciHome home, int other) {
  const std::string current = home.list->Get(other).person();
  auto it = home.blame->find(RaciKey(RACI_ROLE_ACCOUNTABLE, current));  // AccountableCheck: there
  const FieldRef ref{e.goal_id(), e.task_id(), "", kAccountableField};
  if (!MergeField(ctx, &it->second, ref, e.person(), current)) return false;
  home.list->DeleteSubrange(other, 1);
  (*home.blame)[RaciKey(RACI_ROLE_ACCOUNTABLE, current)] = ctx.stamp;
  return true;
}

absl::Status Assigned(Context& ctx, const RaciAssigned& e) {
  if (e.person().empty()) return Invalid("raci: person is required");
  if (e.role() == RACI_ROLE_UNSPECIFIED || !RaciRole_IsValid(e.role())) {
    return Invalid("raci: role is required (responsible, accountable, consulted, informed)");
  }
  absl::StatusOr<RaciHome> home = RaciOf(ctx, e.goal_id(), e.task_id());
  if (!home.ok()) return home.status();
  const int at = FindRaci(*home->list, e.person(), e.role());
  const FieldRef ref{e.goal_id(), e.task_id(), "", RaciKey(e.role(), e.person())};
  // Validate before merging, so that a refusal records no conflict.
  int other = -1;
  if (at < 0 && e.role() == RACI_ROLE_ACCOUNTABLE) {
    for (int i = 0; i < home->list->size(); ++i) {
      if (home->list->Get(i).role() == RACI_ROLE_ACCOUNTABLE) other = i;
    }
  }
  if (absl::Status s = AccountableCheck(ctx, e, *home, other); !s.ok()) return s;
  if (!MergeBlamed(ctx, *home->blame, ref, kPresent, at >= 0 ? kPresent : kAbsent)) {
    return absl::OkStatus();
  }
  if (other >= 0) {
    if (!MergeAccountable(ctx, e, *home, other)) return absl::OkStatus();
  }
  if (at < 0) {
    RaciEntry* entry = home->list->Add();
    entry->set_person(e.person());
    entry->set_role(e.role());
  }
  (*home->blame)[ref.field] = ctx.stamp;
  return absl::OkStatus();
}

absl::Status Unassigned(Context& ctx, const RaciUnassigned& e) {
  absl::StatusOr<RaciHome> home = RaciOf(ctx, e.goal_id(), e.task_id());
  if (!home.ok()) return home.status();
  const int at = FindRaci(*home->list, e.person(), e.role());
  const FieldRef ref{e.goal_id(), e.task_id(), "", RaciKey(e.role(), e.person())};
  if (!MergeBlamed(ctx, *home->blame, ref, kAbsent, at >= 0 ? kPresent : kAbsent)) {
    return absl::OkStatus();
  }
  if (at >= 0) home->list->DeleteSubrange(at, 1);
  (*home->blame)[ref.field] = ctx.stamp;  // even when absent: see DependencyRemoved
  return absl::OkStatus();  // a remove removes only what is there
}

}  // namespace

absl::Status SetTaskField(Context& ctx, Goal& goal, Task& t, const std::string& f,
                          const std::string& v) {
  if (f == "title" || f == "deliverable" || f == "acceptance") {
    if (f == "title" && v.empty()) return Invalid("task ", t.id(), ": title is required");
    if (v.size() > 2000) return Invalid("task ", t.id(), ": ", f, " is over 2000 characters");
    *(f == "title" ? t.mutable_title() : f == "deliverable" ? t.mutable_deliverable()
                                                             : t.mutable_acceptance()) = v;
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
  } else if (f == "status") {
    absl::StatusOr<int> n = ParseEnum(TaskStatus_descriptor(), v);
    if (!n.ok()) return Invalid("task ", t.id(), ": status ", n.status().message());
    t.set_status(static_cast<TaskStatus>(*n));
    *t.mutable_status_changed() = ctx.stamp;
    if (*n == TASK_STATUS_DONE) {
      *t.mutable_done() = ctx.stamp;
    } else {
      t.clear_done();
    }
  } else if (f == "parent") {
    // Walk up from the new parent; bounded by the number of tasks.
    std::string up = v;
    for (size_t steps = 0; !up.empty() && steps <= goal.tasks().size(); ++steps) {
      if (up == t.id()) {
        return Invalid("task ", t.id(), " cannot move under ", v, ": that would make a cycle");
      }
      auto it = goal.tasks().find(up);
      if (it == goal.tasks().end()) {
        return NotFound("parent task ", up, " is not a task of goal ", goal.id());
      }
      up = it->second.parent_task_id();
    }
    t.set_parent_task_id(v);
  } else {
    return Invalid("task has no settable field \"", f,
                   "\"; fields: title, deliverable, acceptance, start_date, due_date, "
                   "estimate_days, parent (and status, with TaskStatusSet)");
  }
  return absl::OkStatus();
}

std::string GetTaskField(const Task& t, const std::string& f) {
  if (f == "title") return t.title();
  if (f == "deliverable") return t.deliverable();
  if (f == "acceptance") return t.acceptance();
  if (f == "start_date") return t.start_date();
  if (f == "due_date") return t.due_date();
  if (f == "estimate_days") return absl::StrCat(t.estimate_days());
  if (f == "parent") return t.parent_task_id();
  if (f == "status") {
    const TaskStatus s = t.status() == TASK_STATUS_UNSPECIFIED ? TASK_STATUS_TODO : t.status();
    return TaskStatus_Name(s);
  }
  return "";
}

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
