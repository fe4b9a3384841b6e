// PlanService: read-only queries over workspaces' plans (goalsync.v1.PlanService). Thin:
// each call resolves the workspace, reads the plan (or the log) and calls core/plan.
//
// Thread safety: called from gRPC's threads; holds no state of its own.
#ifndef GOALSYNC_SERVER_SERVICE_PLAN_SERVICE_H_
#define GOALSYNC_SERVER_SERVICE_PLAN_SERVICE_H_

#include "goalsync/v1/plan_service.grpc.pb.h"
#include "server/auth/authenticator.h"
#include "server/log/event_log.h"

namespace goalsync::server {

class PlanService final : public goalsync::v1::PlanService::CallbackService {
 public:
  PlanService(EventLog& log, Authenticator& auth) : log_(log), auth_(auth) {}

  grpc::ServerUnaryReactor* GetState(grpc::CallbackServerContext* ctx,
                                     const goalsync::v1::GetStateRequest* request,
                                     goalsync::v1::GetStateResponse* response) override;
  grpc::ServerUnaryReactor* GetGoal(grpc::CallbackServerContext* ctx,
                                    const goalsync::v1::GetGoalRequest* request,
                                    goalsync::v1::Goal* response) override;
  grpc::ServerUnaryReactor* ListGoals(grpc::CallbackServerContext* ctx,
                                      const goalsync::v1::ListGoalsRequest* request,
                                      goalsync::v1::ListGoalsResponse* response) override;
  grpc::ServerUnaryReactor* GetProgress(grpc::CallbackServerContext* ctx,
                                        const goalsync::v1::GetProgressRequest* request,
                                        goalsync::v1::GetProgressResponse* response) override;
  grpc::ServerUnaryReactor* GetHistory(grpc::CallbackServerContext* ctx,
                                       const goalsync::v1::GetHistoryRequest* request,
                                       goalsync::v1::GetHistoryResponse* response) override;
  grpc::ServerUnaryReactor* Blame(grpc::CallbackServerContext* ctx,
                                  const goalsync::v1::BlameRequest* request,
                                  goalsync::v1::BlameResponse* response) override;

 private:
  EventLog& log_;
  Authenticator& auth_;
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_SERVICE_PLAN_SERVICE_H_
