#include "goalsync/audit_client.h"

#include "absl/time/clock.h"
#include "goalsync/log_client.h"
#include "goalsync/v1/audit.grpc.pb.h"

namespace goalsync::client {

struct AuditClient::Stubs {
  std::unique_ptr<goalsync::v1::Audit::Stub> audit;
};

AuditClient::AuditClient(std::shared_ptr<grpc::Channel> channel)
    : stubs_(new Stubs{goalsync::v1::Audit::NewStub(std::move(channel))}) {}

AuditClient::~AuditClient() = default;

absl::StatusOr<goalsync::v1::GetCheckpointsResponse> AuditClient::GetCheckpoints(
    const std::string& workspace, absl::Duration timeout) {
  grpc::ClientContext ctx;
  AddToken(ctx, token_);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  goalsync::v1::GetCheckpointsRequest request;
  request.set_workspace(workspace);
  goalsync::v1::GetCheckpointsResponse response;
  if (absl::Status s = FromGrpcStatus(stubs_->audit->GetCheckpoints(&ctx, request, &response)); !s.ok()) {
    return s;
  }
  return response;
}

}  // namespace goalsync::client
