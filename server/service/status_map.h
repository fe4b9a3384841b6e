// The one place where our statuses become gRPC's (the codes are the same).
#ifndef GOALSYNC_SERVER_SERVICE_STATUS_MAP_H_
#define GOALSYNC_SERVER_SERVICE_STATUS_MAP_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace goalsync::server {

// Translates `status`. Errors that are the server's own (INTERNAL, DATA_LOSS, UNKNOWN,
// UNAVAILABLE) are logged here, once, at error level; errors in the caller's request only at
// debug level, so that a misbehaving client cannot flood the log.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_SERVICE_STATUS_MAP_H_
