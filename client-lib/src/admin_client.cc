#include "goalsync/admin_client.h"

#include "absl/time/clock.h"
#include "goalsync/log_client.h"

namespace goalsync::client {

absl::StatusOr<goalsync::v1::BackupResponse> AdminClient::Backup(const std::string& to,
                                                                 absl::Duration timeout) {
  grpc::ClientContext ctx;
  AddToken(ctx, token_);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  goalsync::v1::BackupRequest request;
  request.set_to(to);
  goalsync::v1::BackupResponse response;
  absl::Status s = FromGrpcStatus(stub_->Backup(&ctx, request, &response));
  if (!s.ok()) return s;
  return response;
}

}  // namespace goalsync::client
