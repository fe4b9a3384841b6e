// AuditClient: a blocking client of goalsyncd's Audit service (audit.proto): the server's
// signed checkpoints of a workspace's log, for an online tamper check.
//
// Errors are absl::Status with gRPC's code and the server's message (FromGrpcStatus):
// PERMISSION_DENIED without an auditor token for the workspace, UNAVAILABLE when the server
// cannot be reached.
//
// Thread safety: an AuditClient may be shared by threads; each call is independent.
#ifndef GOALSYNC_CLIENT_AUDIT_CLIENT_H_
#define GOALSYNC_CLIENT_AUDIT_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "goalsync/v1/audit.pb.h"
#include "grpcpp/grpcpp.h"

namespace goalsync::client {

class AuditClient {
 public:
  // A client on `channel` (from client::Connect).
  explicit AuditClient(std::shared_ptr<grpc::Channel> channel);
  ~AuditClient();

  // Sends "authorization: Bearer <token>" with every call (empty: none).
  void set_token(std::string token) { token_ = std::move(token); }

  // The signed checkpoints of `workspace`'s log.
  absl::StatusOr<goalsync::v1::GetCheckpointsResponse> GetCheckpoints(
      const std::string& workspace, absl::Duration timeout = absl::Seconds(30));

 private:
  struct Stubs;
  std::unique_ptr<Stubs> stubs_;
  std::string token_;
};

}  // namespace goalsync::client

#endif  // GOALSYNC_CLIENT_AUDIT_CLIENT_H_
