// The work behind PlanService, as plain functions over an EventLog (testable without gRPC).
#ifndef GOALSYNC_SERVER_SERVICE_PLAN_QUERIES_H_
#define GOALSYNC_SERVER_SERVICE_PLAN_QUERIES_H_

#include "absl/status/statusor.h"
#include "goalsync/v1/plan_service.pb.h"
#include "server/log/event_log.h"

namespace goalsync::server {

absl::StatusOr<goalsync::v1::GetStateResponse> QueryState(EventLog& log,
                                                          const goalsync::v1::GetStateRequest& r);
absl::StatusOr<goalsync::v1::Goal> QueryGoal(EventLog& log, const goalsync::v1::GetGoalRequest& r);
absl::StatusOr<goalsync::v1::ListGoalsResponse> QueryGoals(EventLog& log,
                                                           const goalsync::v1::ListGoalsRequest& r);
absl::StatusOr<goalsync::v1::GetProgressResponse> QueryProgress(
    EventLog& log, const goalsync::v1::GetProgressRequest& r);
absl::StatusOr<goalsync::v1::GetHistoryResponse> QueryHistory(
    EventLog& log, const goalsync::v1::GetHistoryRequest& r);
absl::StatusOr<goalsync::v1::BlameResponse> QueryBlame(EventLog& log,
                                                       const goalsync::v1::BlameRequest& r);

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_SERVICE_PLAN_QUERIES_H_
