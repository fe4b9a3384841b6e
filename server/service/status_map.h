// The one place where our statuses become gRPC's (the codes are the same).
#ifndef GOALSYNC_SERVER_SERVICE_STATUS_MAP_H_
#define GOALSYNC_SERVER_SERVICE_STATUS_MAP_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace goalsync::server {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_SERVICE_STATUS_MAP_H_
