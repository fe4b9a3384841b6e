#include "goalsync/admin_client.h"

#include "absl/time/clock.h"
#include "goalsync/log_client.h"

namespace goalsync::client {

absl::StatusOr<goalsync::v1::CreateTokenResponse> AdminClient::CreateToken(
    const goalsync::v1::CreateTokenRequest& request, absl::Duration timeout) {
  grpc::ClientContext ctx;
  AddToken(ctx, token_);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  goalsync::v1::CreateTokenResponse response;
  if (absl::Status s = FromGrpcStatus(stub_->CreateToken(&ctx, request, &response)); !s.ok()) return s;
  return response;
}

absl::StatusOr<goalsync::v1::ListTokensResponse> AdminClient::ListTokens(absl::Duration timeout) {
  grpc::ClientContext ctx;
  AddToken(ctx, token_);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  goalsync::v1::ListTokensResponse response;
  absl::Status s =
      FromGrpcStatus(stub_->ListTokens(&ctx, goalsync::v1::ListTokensRequest(), &response));
  if (!s.ok()) return s;
  return response;
}

absl::StatusOr<goalsync::v1::RevokeTokenResponse> AdminClient::RevokeToken(const std::string& id,
                                                                           absl::Duration timeout) {
  grpc::ClientContext ctx;
  AddToken(ctx, token_);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  goalsync::v1::RevokeTokenRequest request;
  request.set_id(id);
  goalsync::v1::RevokeTokenResponse response;
  if (absl::Status s = FromGrpcStatus(stub_->RevokeToken(&ctx, request, &response)); !s.ok()) return s;
  return response;
}

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
