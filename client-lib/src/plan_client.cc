#include "goalsync/plan_client.h"

#include "absl/time/clock.h"
#include "goalsync/log_client.h"
#include "goalsync/v1/plan_service.grpc.pb.h"

namespace goalsync::client {

struct PlanClient::Stubs {
  std::unique_ptr<goalsync::v1::PlanService::Stub> plan;
};

PlanClient::PlanClient(std::shared_ptr<grpc::Channel> channel)
    : stubs_(new Stubs{goalsync::v1::PlanService::NewStub(std::move(channel))}) {}

PlanClient::~PlanClient() = default;

namespace {

// One unary call with the token and a deadline; the server's status as ours.
template <typename Response, typename Call>
absl::StatusOr<Response> Unary(const std::string& token, absl::Duration timeout, Call call) {
  grpc::ClientContext ctx;
  AddToken(ctx, token);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  Response response;
  if (absl::Status s = FromGrpcStatus(call(ctx, response)); !s.ok()) return s;
  return response;
}

}  // namespace

absl::StatusOr<goalsync::v1::Goal> PlanClient::GetGoal(const goalsync::v1::GetGoalRequest& request,
                                                       absl::Duration timeout) {
  return Unary<goalsync::v1::Goal>(token_, timeout, [&](grpc::ClientContext& c, goalsync::v1::Goal& r) {
    return stubs_->plan->GetGoal(&c, request, &r);
  });
}

absl::StatusOr<goalsync::v1::ListGoalsResponse> PlanClient::ListGoals(
    const goalsync::v1::ListGoalsRequest& request, absl::Duration timeout) {
  return Unary<goalsync::v1::ListGoalsResponse>(
      token_, timeout, [&](grpc::ClientContext& c, goalsync::v1::ListGoalsResponse& r) {
        return stubs_->plan->ListGoals(&c, request, &r);
      });
}

absl::StatusOr<goalsync::v1::GetProgressResponse> PlanClient::GetProgress(
    const goalsync::v1::GetProgressRequest& request, absl::Duration timeout) {
  return Unary<goalsync::v1::GetProgressResponse>(
      token_, timeout, [&](grpc::ClientContext& c, goalsync::v1::GetProgressResponse& r) {
        return stubs_->plan->GetProgress(&c, request, &r);
      });
}

absl::StatusOr<goalsync::v1::GetHistoryResponse> PlanClient::GetHistory(
    const goalsync::v1::GetHistoryRequest& request, absl::Duration timeout) {
  return Unary<goalsync::v1::GetHistoryResponse>(
      token_, timeout, [&](grpc::ClientContext& c, goalsync::v1::GetHistoryResponse& r) {
        return stubs_->plan->GetHistory(&c, request, &r);
      });
}

absl::StatusOr<goalsync::v1::BlameResponse> PlanClient::Blame(const goalsync::v1::BlameRequest& request,
                                                              absl::Duration timeout) {
  return Unary<goalsync::v1::BlameResponse>(
      token_, timeout, [&](grpc::ClientContext& c, goalsync::v1::BlameResponse& r) {
        return stubs_->plan->Blame(&c, request, &r);
      });
}

}  // namespace goalsync::client
