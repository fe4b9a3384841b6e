// The query layer's answers for goalctl's tree, goal show, task show and allocation views:
// plain structs computed from a PlanState, which the CLI (and goalctl ui) only render, so
// that every number a view shows is the one PlanService computes for the same state. Pure:
// no I/O, no clock (the day to judge by is an argument).
#ifndef GOALSYNC_CORE_PLAN_QUERIES_VIEWS_H_
#define GOALSYNC_CORE_PLAN_QUERIES_VIEWS_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/plan/progress.h"
#include "core/plan/queries.h"
#include "goalsync/v1/plan_service.pb.h"
#include "goalsync/v1/state.pb.h"

namespace goalsync::core {

// One line of the alignment tree: a live goal, its depth under the root shown, its progress
// (whole goal or one period) and the breakdown checks of it that fail.
struct TreeRow {
  const goalsync::v1::Goal* goal = nullptr;
  int depth = 0;
  Progress progress;
  std::vector<BreakdownCheck> failed_checks;
};

// GoalsInTreeOrder(state, root), depth-first (each goal's descendants right after it), each
// with its progress over `period` ("" for the whole goal). NOT_FOUND for an unknown root,
// INVALID_ARGUMENT for a bad period.
absl::StatusOr<std::vector<TreeRow>> TreeRows(const goalsync::v1::PlanState& state,
                                              const std::string& root, const std::string& period);

// Everything `goalctl goal show` shows of a goal except its history (which is the log's).
struct GoalDetail {
  const goalsync::v1::Goal* goal = nullptr;
  std::vector<std::string> path;      // ancestors' ids, the root first
  std::vector<std::string> children;  // live children's ids
  Progress progress;
  YearToDate to_date;
  bool at_risk = false;  // AtRiskToDate(to_date)
  std::vector<PeriodVariance> variance;
  std::vector<BreakdownCheck> checks;  // of this goal, passing and failing
  RaciRow raci;
  std::vector<const goalsync::v1::Task*> tasks;  // TasksByDue
  std::vector<Overallocation> overallocated;     // of the people allocated to this goal
};

// NOT_FOUND for an unknown goal.
absl::StatusOr<GoalDetail> DescribeGoal(const goalsync::v1::PlanState& state,
                                        const std::string& goal_id, absl::CivilDay today);

// Everything `goalctl task show` shows of a task.
struct TaskDetail {
  const goalsync::v1::Goal* goal = nullptr;
  const goalsync::v1::Task* task = nullptr;
  // The WBS path: the goal's id, then the parent tasks' ids (outermost first), then the task.
  std::vector<std::string> wbs_path;
  std::vector<std::string> subtasks;  // tasks whose parent task is this one, by id
  std::vector<goalsync::v1::TaskRef> depends_on;  // goal ids filled in
  std::vector<goalsync::v1::TaskRef> dependents;  // tasks (of any goal) depending on it
  RaciRow raci;
  bool late = false;  // due before `today` and not done
  std::vector<goalsync::v1::Allocation> allocations;
  std::vector<goalsync::v1::Budget> budgets;
  std::vector<goalsync::v1::TimeBlock> time_blocks;
};

// NOT_FOUND for an unknown goal or task.
absl::StatusOr<TaskDetail> DescribeTask(const goalsync::v1::PlanState& state, const std::string& goal_id,
                                        const std::string& task_id, absl::CivilDay today);

// The allocation view: people x goals/tasks, FTE per period, and each person's total per
// period against full time.
struct AllocationCell {
  std::string person;
  std::string goal_id;
  std::string task_id;  // "" for the goal itself
  std::string period;
  double fte = 0;
  std::string skills;
};
struct PersonPeriodLoad {
  std::string person;
  std::string period;
  // The FTE of every allocation of the person whose period overlaps this one (as
  // FindOverallocations counts it).
  double fte = 0;
  bool over = false;  // fte > 1
};
struct AllocationView {
  std::vector<std::string> people;   // sorted
  std::vector<std::string> periods;  // by first day, then longest first
  std::vector<AllocationCell> cells;  // by person, goal, task, period
  std::vector<PersonPeriodLoad> loads;  // by person, then period order
  // Money and time blocks of the live goals in scope, by goal.
  std::map<std::string, std::vector<goalsync::v1::Budget>> budgets;
  std::map<std::string, std::vector<goalsync::v1::TimeBlock>> time_blocks;
};

// Allocations of the live goals of `root`'s subtree (every goal for ""), optionally only
// `person`'s. NOT_FOUND for an unknown root.
absl::StatusOr<AllocationView> Allocations(const goalsync::v1::PlanState& state,
                                           const std::string& root, const std::string& person);

// The goals of `root`'s subtree at risk as of `today` (AtRiskToDate: year to date, not
// against the full-year target), in tree order; band and fraction are the year-to-date ones.
absl::StatusOr<std::vector<AtRisk>> GoalsAtRiskToDate(const goalsync::v1::PlanState& state,
                                                      const std::string& root, absl::CivilDay today);

// Year to date of `goal_id` as of `as_of` (YYYY-MM-DD) as PlanService answers it
// (GetProgressRequest.as_of). INVALID_ARGUMENT for a bad date, NOT_FOUND for an unknown goal.
absl::StatusOr<goalsync::v1::ToDate> ToDateProto(const goalsync::v1::PlanState& state,
                                                 const std::string& goal_id, const std::string& as_of);

// Fills each line's previous_value: from the change request behind it (its targets before),
// else from `state_at(seq)` (the plan as of a seq, for the seq before the change; an error
// from it leaves the line's previous value empty). Lines of changes not yet accepted (seq 0)
// are left empty.
void AddPreviousValues(const std::string& goal_id,
                       const std::function<absl::StatusOr<goalsync::v1::PlanState>(uint64_t)>& state_at,
                       goalsync::v1::BlameResponse* blame);

// Periods sorted by first day, then the longer first ("2026-Q1" before "2026-01"); text
// that is not a period sorts after, by text.
bool PeriodOrder(const std::string& a, const std::string& b);

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_PLAN_QUERIES_VIEWS_H_
