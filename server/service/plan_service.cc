#include "server/service/plan_service.h"

#include "server/service/plan_queries.h"
#include "server/service/status_map.h"

namespace goalsync::server {

using namespace goalsync::v1;  // NOLINT: the generated messages

namespace {

// Runs `query` and finishes the call with its answer or error.
template <typename Response, typename Query>
grpc::ServerUnaryReactor* Answer(Authenticator& auth, grpc::CallbackServerContext* ctx,
                                 const std::string& workspace, Response* response, Query query) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (absl::StatusOr<Principal> who = auth.Check(*ctx, workspace, core::Action::kRead); !who.ok()) {
    reactor->Finish(ToGrpcStatus(who.status()));
    return reactor;
  }
  absl::StatusOr<Response> result = query();
  if (result.ok()) *response = std::move(*result);
  reactor->Finish(ToGrpcStatus(result.status()));
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* PlanService::GetState(grpc::CallbackServerContext* ctx,
                                                const GetStateRequest* request,
                                                GetStateResponse* response) {
  return Answer(auth_, ctx, request->workspace(), response, [&] { return QueryState(log_, *request); });
}

grpc::ServerUnaryReactor* PlanService::GetGoal(grpc::CallbackServerContext* ctx,
                                               const GetGoalRequest* request, Goal* response) {
  return Answer(auth_, ctx, request->workspace(), response, [&] { return QueryGoal(log_, *request); });
}

grpc::ServerUnaryReactor* PlanService::ListGoals(grpc::CallbackServerContext* ctx,
                                                 const ListGoalsRequest* request,
                                                 ListGoalsResponse* response) {
  return Answer(auth_, ctx, request->workspace(), response, [&] { return QueryGoals(log_, *request); });
}

grpc::ServerUnaryReactor* PlanService::GetProgress(grpc::CallbackServerContext* ctx,
                                                   const GetProgressRequest* request,
                                                   GetProgressResponse* response) {
  return Answer(auth_, ctx, request->workspace(), response, [&] { return QueryProgress(log_, *request); });
}

grpc::ServerUnaryReactor* PlanService::GetHistory(grpc::CallbackServerContext* ctx,
                                                  const GetHistoryRequest* request,
                                                  GetHistoryResponse* response) {
  return Answer(auth_, ctx, request->workspace(), response, [&] { return QueryHistory(log_, *request); });
}

grpc::ServerUnaryReactor* PlanService::Blame(grpc::CallbackServerContext* ctx,
                                             const BlameRequest* request,
                                             BlameResponse* response) {
  return Answer(auth_, ctx, request->workspace(), response, [&] { return QueryBlame(log_, *request); });
}

}  // namespace goalsync::server
