// AdminClient: a blocking client of goalsyncd's Admin service (admin.proto): bearer tokens
// and backups.
//
// Errors are absl::Status with gRPC's code and the server's message (FromGrpcStatus):
// PERMISSION_DENIED without an admin token for "*", UNAVAILABLE while another backup runs or
// the server cannot be reached.
//
// Thread safety: an AdminClient may be shared by threads; each call is independent.
#ifndef GOALSYNC_CLIENT_ADMIN_CLIENT_H_
#define GOALSYNC_CLIENT_ADMIN_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "goalsync/v1/admin.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace goalsync::client {

class AdminClient {
 public:
  explicit AdminClient(std::shared_ptr<grpc::Channel> channel)
      : stub_(goalsync::v1::Admin::NewStub(std::move(channel))) {}

  // Sends "authorization: Bearer <token>" with every call (empty: none).
  void set_token(std::string token) { token_ = std::move(token); }

  // Creates a token (CreateTokenResponse.token is its secret, shown once), lists the tokens
  // of the workspaces the caller administers, revokes one by id (NOT_FOUND if unknown).
  absl::StatusOr<goalsync::v1::CreateTokenResponse> CreateToken(
      const goalsync::v1::CreateTokenRequest& request, absl::Duration timeout = absl::Seconds(10));
  absl::StatusOr<goalsync::v1::ListTokensResponse> ListTokens(
      absl::Duration timeout = absl::Seconds(10));
  absl::StatusOr<goalsync::v1::RevokeTokenResponse> RevokeToken(
      const std::string& id, absl::Duration timeout = absl::Seconds(10));

  // Backs the server up into `to`, a directory on the server's machine (Admin.Backup).
  // Returns once the backup is complete; waits at most `timeout`.
  absl::StatusOr<goalsync::v1::BackupResponse> Backup(const std::string& to,
                                                      absl::Duration timeout = absl::Hours(1));

 private:
  std::unique_ptr<goalsync::v1::Admin::Stub> stub_;
  std::string token_;
};

}  // namespace goalsync::client

#endif  // GOALSYNC_CLIENT_ADMIN_CLIENT_H_
