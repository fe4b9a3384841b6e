// The one place where our statuses become gRPC's (the codes are the same), and the one place
// the server builds the facts that travel with a refusal (errors.proto).
#ifndef GOALSYNC_SERVER_SERVICE_STATUS_MAP_H_
#define GOALSYNC_SERVER_SERVICE_STATUS_MAP_H_

#include <string>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace goalsync::server {

// Translates `status`: the code, the message, and as error details (grpc-status-details-bin)
// a google.rpc.Status holding the goalsync.v1.Refusal attached to `status` (core/refusal.h),
// its reason defaulted from the code and server_time set to now. Errors that are the
// server's own (INTERNAL, DATA_LOSS, UNKNOWN, UNAVAILABLE) are logged here, once, at error
// level; errors in the caller's request only at debug level, so that a misbehaving client
// cannot flood the log.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The details bytes ToGrpcStatus puts in the trailer (a serialized google.rpc.Status), for
// AppendStream's AppendError.details. Empty for OK.
std::string StatusDetails(const absl::Status& status);

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_SERVICE_STATUS_MAP_H_
