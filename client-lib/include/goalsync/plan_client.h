// PlanClient: a blocking client of goalsyncd's PlanService (plan_service.proto): the
// committed plan's goals, progress, history and blame, computed by the server with the same
// functions (core/plan/queries) a Replica uses offline.
//
// Errors are absl::Status with gRPC's code and the server's message (FromGrpcStatus):
// UNAVAILABLE when the server cannot be reached, NOT_FOUND for an unknown goal or
// workspace, PERMISSION_DENIED without a viewer token for the workspace.
//
// Thread safety: a PlanClient may be shared by threads; each call is independent.
#ifndef GOALSYNC_CLIENT_PLAN_CLIENT_H_
#define GOALSYNC_CLIENT_PLAN_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "goalsync/v1/plan_service.pb.h"
#include "grpcpp/grpcpp.h"

namespace goalsync::client {

class PlanClient {
 public:
  // A client on `channel` (from client::Connect, which refuses a TLS CA it cannot read).
  explicit PlanClient(std::shared_ptr<grpc::Channel> channel);
  ~PlanClient();

  // Sends "authorization: Bearer <token>" with every call (empty: none).
  void set_token(std::string token) { token_ = std::move(token); }

  absl::StatusOr<goalsync::v1::Goal> GetGoal(const goalsync::v1::GetGoalRequest& request,
                                             absl::Duration timeout = absl::Seconds(30));
  absl::StatusOr<goalsync::v1::ListGoalsResponse> ListGoals(
      const goalsync::v1::ListGoalsRequest& request, absl::Duration timeout = absl::Seconds(30));
  absl::StatusOr<goalsync::v1::GetProgressResponse> GetProgress(
      const goalsync::v1::GetProgressRequest& request, absl::Duration timeout = absl::Seconds(30));
  absl::StatusOr<goalsync::v1::GetHistoryResponse> GetHistory(
      const goalsync::v1::GetHistoryRequest& request, absl::Duration timeout = absl::Seconds(60));
  absl::StatusOr<goalsync::v1::BlameResponse> Blame(const goalsync::v1::BlameRequest& request,
                                                    absl::Duration timeout = absl::Seconds(30));

 private:
  struct Stubs;
  std::unique_ptr<Stubs> stubs_;
  std::string token_;
};

}  // namespace goalsync::client

#endif  // GOALSYNC_CLIENT_PLAN_CLIENT_H_
