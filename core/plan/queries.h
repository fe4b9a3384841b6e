// PlanService's answers computed from a PlanState: the same functions serve goalsyncd (over
// its committed plan) and a client replica (over its local plan), so an offline answer is the
// answer the server would give for the same state. Pure: no I/O, no clock.
#ifndef GOALSYNC_CORE_PLAN_QUERIES_H_
#define GOALSYNC_CORE_PLAN_QUERIES_H_

#include <string>

#include "absl/status/statusor.h"
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

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_PLAN_QUERIES_H_
