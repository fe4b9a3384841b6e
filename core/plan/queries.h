// PlanService's answers computed from a PlanState: the same functions serve goalsyncd (over
// its committed plan) and a client replica (over its local plan), so an offline answer is the
// answer the server would give for the same state. Pure: no I/O, no clock.
#ifndef GOALSYNC_CORE_PLAN_QUERIES_H_
#define GOALSYNC_CORE_PLAN_QUERIES_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "core/timestamps.h"  // TimestampNanos, for callers filtering by time
#include "goalsync/v1/plan_service.pb.h"

namespace goalsync::core {

// The goal, or NOT_FOUND naming it.
absl::StatusOr<goalsync::v1::Goal> FindGoal(const goalsync::v1::PlanState& state,
                                            const std::string& goal_id);

// Goals matching every filter of `r` (its workspace is not looked at), in id order.
goalsync::v1::ListGoalsResponse ListGoals(const goalsync::v1::PlanState& state,
                                          const goalsync::v1::ListGoalsRequest& r);

// Progress of r.goal_id (or its subtree), variance per period, the breakdown checks of those
// goals and the over-allocations of the plan.
absl::StatusOr<goalsync::v1::GetProgressResponse> ProgressReport(
    const goalsync::v1::PlanState& state, const goalsync::v1::GetProgressRequest& r);

// Whether `e` passes every filter of `r` (goal, actor, since/until on server_time, types,
// field as judged against `state`). `limit` is the caller's to apply.
bool HistoryMatches(const goalsync::v1::Event& e, const goalsync::v1::GetHistoryRequest& r,
                    const goalsync::v1::PlanState& state);

// For each field of the goal that was ever changed: value, change and change request.
absl::StatusOr<goalsync::v1::BlameResponse> Blame(const goalsync::v1::PlanState& state,
                                                  const std::string& goal_id);

// --- The views' numbers (goalctl's kanban, raci, gantt and dashboard, and goalctl ui) ---

// Live goals of `root`'s subtree, parents before children; with `root` empty, every root's
// (a goal without a live parent) subtree, roots in id order. NOT_FOUND for an unknown root.
absl::StatusOr<std::vector<const goalsync::v1::Goal*>> GoalsInTreeOrder(
    const goalsync::v1::PlanState& state, const std::string& root);

// The goal's tasks by due date, then id. Pointers into `goal`.
std::vector<const goalsync::v1::Task*> TasksByDue(const goalsync::v1::Goal& goal);

// The people responsible for a task (R), else its accountable (A).
std::vector<std::string> TaskOwners(const goalsync::v1::Task& task);

// One task on a time axis. Tasks without a due date (or with a bad one) have no bar.
struct GanttBar {
  std::string goal_id;
  std::string task_id;
  std::string title;
  goalsync::v1::TaskStatus status = goalsync::v1::TASK_STATUS_UNSPECIFIED;
  absl::CivilDay start;
  absl::CivilDay due;
  bool milestone = false;  // no start date: a due date only
  bool late = false;       // due before `today` and not done
  bool ahead = false;      // marked done (by the writer's clock) before its due date
  std::vector<goalsync::v1::TaskRef> depends_on;  // finish-to-start, goal ids filled in
};

// The bars of the tasks of GoalsInTreeOrder(state, root), goal by goal, tasks by due date.
absl::StatusOr<std::vector<GanttBar>> GanttBars(const goalsync::v1::PlanState& state,
                                                const std::string& root, absl::CivilDay today);

// Tasks of the subtree due by `today` (inclusive) and how many of them are done.
struct TaskCompletion {
  int due = 0;
  int done = 0;
  double rate() const { return due == 0 ? 1.0 : static_cast<double>(done) / due; }
};
absl::StatusOr<TaskCompletion> CompletionBy(const goalsync::v1::PlanState& state,
                                            const std::string& root, absl::CivilDay today);

// One row of the RACI matrix: a goal (task_id empty) or one of its tasks.
struct RaciRow {
  std::string goal_id;
  std::string task_id;
  std::map<std::string, std::string> roles;  // person -> letters, "RA"
  int accountable = 0;
  // "no A" (a task, or a goal with any RACI, without an accountable), "2 A: exactly one", "".
  std::string flag;
};
absl::StatusOr<std::vector<RaciRow>> RaciMatrix(const goalsync::v1::PlanState& state,
                                                const std::string& root);

// A goal at risk: below its floor, or below its base with the latest check-in's confidence
// under 50%.
struct AtRisk {
  std::string goal_id;
  std::string band;
  std::string owner;
  std::optional<double> fraction;
  std::optional<double> confidence;  // of the latest check-in, if any
};
// The goals of `progress` (a ProgressReport of the same state) at risk, in its order.
std::vector<AtRisk> GoalsAtRisk(const goalsync::v1::PlanState& state,
                                const goalsync::v1::GetProgressResponse& progress);

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_PLAN_QUERIES_H_
